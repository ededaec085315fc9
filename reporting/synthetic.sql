-- The statements of reporting/synthetic.py's generate(), run in order in one transaction, with
-- the named parameters it passes (a literal percent sign is doubled). {la_postcode} and
-- {duration} are filled in first: a random postcode in the row's authority (la), and an
-- episode's length in hours drawn from the duration bands. Each statement ends with ';' and a
-- blank line.

-- 1. Authorities: number, postcode area, police force (the first that covers it).
CREATE TEMP TABLE synth_la ON COMMIT DROP AS
        SELECT r.idx, r.la_id, r.area, r.districts,
               (SELECT min(l.agency_id) FROM organisations_agency_local_authorities l
                  JOIN organisations_agency a ON a.id = l.agency_id AND a.kind = 'police'
                 WHERE l.localauthority_id = r.la_id) AS force_id,
               0::bigint AS est_first, 0 AS est_count
        FROM unnest(%(la_idx)s::int[], %(la_id)s::bigint[], %(la_area)s::text[], %(la_districts)s::int[])
             AS r(idx, la_id, area, districts);

-- 2. Children and their draws.
CREATE TEMP TABLE synth_child ON COMMIT DROP AS
        SELECT g, base.id + g AS id, 1 + floor(r_la * (SELECT count(*) FROM synth_la))::int AS la_idx,
               r_lac < %(lac_share)s AS looked_after, r_gender, r_age, r_given, r_family, r_k, r_k2,
               r_status, r_out, r_out_la, r_est, r_flag, r_since, r_created, r_placement, r_ethnicity
        FROM (SELECT g, random() r_la, random() r_lac, random() r_gender, random() r_age, random() r_given,
                     random() r_family, random() r_k, random() r_k2, random() r_status, random() r_out,
                     random() r_out_la, random() r_est, random() r_flag, random() r_since, random() r_created,
                     random() r_placement, random() r_ethnicity
              FROM generate_series(1, %(n)s) g) draws,
             (SELECT coalesce(max(id), 0) AS id FROM children_child) base;

ALTER TABLE synth_child
            ADD COLUMN dob date, ADD COLUMN win_start timestamptz, ADD COLUMN win_end timestamptz,
            ADD COLUMN k int, ADD COLUMN k_offset bigint, ADD COLUMN host_idx int;

-- Age now 11 to 17 + years (under 25), so every child was 10 to 17 within the window.
UPDATE synth_child SET
            dob = (%(now)s::timestamptz - make_interval(days => (365.25 * (11 + r_age * (least(17 + %(years)s, 24) - 11)))::int))::date,
            k = CASE WHEN g %% 100 = 0 THEN 100 + floor(r_k2 * 201)::int
                     ELSE (SELECT CASE WHEN r < 0.62 THEN 1 WHEN r < 0.80 THEN 2 + floor(r_k2 * 3)::int
                                       WHEN r < 0.90 THEN 5 + floor(r_k2 * 11)::int
                                       WHEN r < 0.96 THEN 16 + floor(r_k2 * 25)::int
                                       ELSE 41 + floor(r_k2 * 59)::int END
                           FROM (SELECT CASE WHEN looked_after THEN 1 - (1 - r_k) * 0.5 ELSE r_k END AS r) x) END,
            host_idx = CASE WHEN looked_after AND r_out < 0.25 THEN 1 + floor(r_out_la * (SELECT count(*) FROM synth_la))::int END;

UPDATE synth_child SET
            win_start = greatest(%(now)s::timestamptz - make_interval(years => %(years)s), (dob + interval '10 years')::timestamptz),
            win_end = least(%(now)s::timestamptz, (dob + interval '18 years' - interval '1 day')::timestamptz),
            host_idx = CASE WHEN host_idx = la_idx THEN NULL ELSE host_idx END;

UPDATE synth_child c SET k_offset = s.k_offset
        FROM (SELECT g, coalesce(sum(k) OVER (ORDER BY g ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS k_offset
              FROM synth_child) s WHERE s.g = c.g;

-- Establishments: one for every six looked-after children placed in an authority.
UPDATE synth_la la SET est_count = greatest(1, ceil(s.placed / 6.0))::int
        FROM (SELECT la.idx, count(c.g) FILTER (WHERE c.looked_after) AS placed FROM synth_la la
              LEFT JOIN synth_child c ON coalesce(c.host_idx, c.la_idx) = la.idx GROUP BY la.idx) s WHERE s.idx = la.idx;

UPDATE synth_la la SET est_first = s.first
        FROM (SELECT idx, (SELECT coalesce(max(id), 0) FROM children_establishment)
                          + coalesce(sum(est_count) OVER (ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) + 1 AS first
              FROM synth_la) s WHERE s.idx = la.idx;

INSERT INTO children_establishment (id, name, placement_type, local_authority_id, postcode)
        SELECT la.est_first + i, 'Synthetic ' || CASE WHEN i %% 3 = 0 THEN 'House ' ELSE 'Fostering ' END || la.idx || '-' || (i + 1),
               CASE WHEN i %% 3 = 0 THEN 'residential' ELSE 'foster' END, la.la_id, {la_postcode}
        FROM synth_la la CROSS JOIN LATERAL generate_series(0, la.est_count - 1) i;

INSERT INTO children_child (
            id, given_name, family_name, date_of_birth, date_of_birth_estimated, gender, ethnicity, ethnicity_code,
            upn, address, postcode, legal_status, legal_status_since, s47_enquiry, responsible_authority_id,
            host_authority_id, placement_type, establishment_id, placement_start, placement_emergency,
            flag_cse, flag_criminal_exploitation, flag_trafficking, flag_uasc, flag_radicalisation, flag_forced_marriage,
            flag_fgm, flag_mental_health, flag_self_harm, flag_substance_misuse, flag_disability, flag_medication,
            physical_description, usual_clothing, phone, places_frequented, associates, photo, search_text, name_key,
            created_at, updated_at)
        SELECT c.id, x.given, x.family, c.dob, false, x.gender, '', (%(ethnicity)s)[1 + floor(c.r_ethnicity * cardinality(%(ethnicity)s))::int],
               '', '', {la_postcode},
               x.status, CASE WHEN c.looked_after THEN x.placement_start END, false, la.la_id,
               host.la_id, CASE WHEN c.looked_after THEN x.placement_type ELSE '' END,
               CASE WHEN c.looked_after THEN place.est_first + floor(c.r_est * place.est_count)::int END,
               CASE WHEN c.looked_after THEN x.placement_start END, false,
               c.r_flag < 0.06, c.r_flag BETWEEN 0.06 AND 0.11, false, c.r_flag BETWEEN 0.11 AND 0.12, false, false,
               false, c.r_flag > 0.85, c.r_flag > 0.93, c.r_flag BETWEEN 0.2 AND 0.28, c.r_flag BETWEEN 0.3 AND 0.34, false,
               '', '', '', '', '', '', lower(x.given || ' ' || x.family), lower(x.given || ' ' || x.family),
               c.win_start - make_interval(days => 1 + floor(c.r_created * 30)::int),
               c.win_start - make_interval(days => 1 + floor(c.r_created * 30)::int)
        FROM synth_child c
        JOIN synth_la la ON la.idx = c.la_idx
        LEFT JOIN synth_la host ON host.idx = c.host_idx
        JOIN synth_la place ON place.idx = coalesce(c.host_idx, c.la_idx)
        CROSS JOIN LATERAL (SELECT
            CASE WHEN c.r_gender < 0.5 THEN (%(female)s)[1 + floor(c.r_given * 200)::int] ELSE (%(male)s)[1 + floor(c.r_given * 200)::int] END AS given,
            (%(family)s)[1 + floor(c.r_family * 400)::int] AS family,
            CASE WHEN c.r_gender < 0.5 THEN 'female' WHEN c.r_gender < 0.99 THEN 'male' ELSE 'unknown' END AS gender,
            CASE WHEN c.looked_after THEN CASE WHEN c.r_status < 0.4 THEN 'looked_after_s20' ELSE 'looked_after_care_order' END
                 WHEN c.r_status < 0.55 THEN 'none' WHEN c.r_status < 0.7 THEN 'early_help'
                 WHEN c.r_status < 0.9 THEN 'child_in_need' ELSE 'child_protection' END AS status,
            greatest(c.dob + 1, (c.win_start - make_interval(days => floor(c.r_since * 365)::int))::date) AS placement_start,
            CASE WHEN c.r_placement < 0.45 THEN 'residential' WHEN c.r_placement < 0.85 THEN 'foster'
                 WHEN c.r_placement < 0.95 THEN 'semi_independent' ELSE 'kinship' END AS placement_type) x;

-- One history row per child: the SSDA903 return reads looked-after spells from it.
INSERT INTO children_historicalchild (
            id, given_name, family_name, date_of_birth, date_of_birth_estimated, gender, ethnicity, ethnicity_code,
            upn, address, postcode, legal_status, legal_status_since, s47_enquiry, responsible_authority_id,
            host_authority_id, placement_type, establishment_id, placement_start, placement_emergency,
            flag_cse, flag_criminal_exploitation, flag_trafficking, flag_uasc, flag_radicalisation, flag_forced_marriage,
            flag_fgm, flag_mental_health, flag_self_harm, flag_substance_misuse, flag_disability, flag_medication,
            physical_description, usual_clothing, phone, places_frequented, associates, photo, created_at,
            mother, mother_child_dob, photo_taken_on, social_worker_id, iro_id,
            history_date, history_change_reason, history_type, history_user_id)
        SELECT ch.id, given_name, family_name, date_of_birth, date_of_birth_estimated, gender, ethnicity, ethnicity_code,
            upn, address, postcode, legal_status, legal_status_since, s47_enquiry, responsible_authority_id,
            host_authority_id, placement_type, establishment_id, placement_start, placement_emergency,
            flag_cse, flag_criminal_exploitation, flag_trafficking, flag_uasc, flag_radicalisation, flag_forced_marriage,
            flag_fgm, flag_mental_health, flag_self_harm, flag_substance_misuse, flag_disability, flag_medication,
            physical_description, usual_clothing, phone, places_frequented, associates, photo, created_at,
            mother, mother_child_dob, photo_taken_on, social_worker_id, iro_id,
            created_at, 'Synthetic history', '+', NULL
        FROM children_child ch JOIN synth_child c ON c.id = ch.id;

-- 3. Episodes: last seen spread over the child's window, mostly in the afternoon and evening.
CREATE TEMP TABLE synth_episode ON COMMIT DROP AS
        SELECT base.id + c.k_offset + i AS id, c.id AS child_id, c.looked_after, c.dob, ch.flag_cse,
               coalesce(c.host_idx, c.la_idx) AS la_idx, ch.establishment_id, ch.placement_type,
               least(%(now)s::timestamptz - interval '10 minutes',
                     (((c.win_start + random() * (c.win_end - c.win_start)) AT TIME ZONE 'Europe/London')::date
                       + make_interval(hours => (24 + 18 + round((random() + random() + random() - 1.5) * 8)::int) %% 24,
                                       mins => floor(random() * 60)::int)) AT TIME ZONE 'Europe/London') AS last_seen_at,
               random() AS r_u, random() AS r_v, random() AS r_cat, random() AS r_risk, random() AS r_report,
               random() AS r_from, random() AS r_method, random() AS r_place
        FROM synth_child c JOIN children_child ch ON ch.id = c.id
        CROSS JOIN LATERAL generate_series(1, c.k) i,
        (SELECT coalesce(max(id), 0) AS id FROM episodes_episode) base;

ALTER TABLE synth_episode ADD COLUMN category text, ADD COLUMN returned_at timestamptz;

-- A child of 12 or under, or with a CSE risk, is missing, never absent (domain.md).
UPDATE synth_episode SET
            category = CASE WHEN looked_after AND r_cat < 0.15 THEN 'away'
                            WHEN r_cat > 0.75 AND NOT flag_cse AND last_seen_at >= (dob + interval '13 years') THEN 'absent'
                            ELSE 'missing' END,
            returned_at = last_seen_at + make_interval(secs => 3600 * ({duration}));

UPDATE synth_episode SET returned_at = NULL WHERE returned_at > %(now)s;

INSERT INTO episodes_episode (
            id, child_id, local_authority_id, force_id, force_reference, category, risk_level, state, whereabouts_known,
            last_seen_at, last_seen_location, reported_at, returned_at, missing_from, missing_from_postcode,
            establishment_id, found_location, found_postcode, return_method, reported_by, circumstances, cse_concern,
            officer, went_missing_with, source, version, closed_reason, created_at, updated_at)
        SELECT e.id, e.child_id, la.la_id, CASE WHEN e.category <> 'away' THEN la.force_id END,
               CASE WHEN e.category <> 'away' AND la.force_id IS NOT NULL THEN 'SYN/' || e.id ELSE '' END,
               e.category,
               CASE WHEN e.category = 'away' THEN ''
                    WHEN e.category = 'absent' THEN CASE WHEN e.r_risk < 0.3 THEN 'low' ELSE 'no_apparent_risk' END
                    WHEN e.r_risk < 0.1 THEN 'high' WHEN e.r_risk < 0.6 THEN 'medium' ELSE 'low' END,
               CASE WHEN e.returned_at IS NULL THEN 'missing'
                    WHEN e.returned_at < %(now)s::timestamptz - interval '28 days' THEN 'closed' ELSE 'returned' END,
               e.category = 'away', e.last_seen_at, (%(places)s)[1 + floor(e.r_place * cardinality(%(places)s))::int],
               x.reported_at, e.returned_at, x.missing_from, {la_postcode},
               CASE WHEN x.missing_from = 'care_placement' THEN e.establishment_id END,
               CASE WHEN e.returned_at IS NOT NULL THEN (%(places)s)[1 + floor(e.r_method * cardinality(%(places)s))::int] ELSE '' END,
               CASE WHEN e.returned_at IS NOT NULL THEN {la_postcode} ELSE '' END,
               CASE WHEN e.returned_at IS NULL THEN '' WHEN e.r_method < 0.55 THEN 'own_accord' WHEN e.r_method < 0.8 THEN 'police'
                    WHEN e.r_method < 0.9 THEN CASE WHEN e.looked_after THEN 'carer' ELSE 'family' END ELSE 'other' END,
               CASE WHEN NOT e.looked_after THEN CASE WHEN e.r_from < 0.85 THEN 'parent' ELSE 'school' END
                    WHEN e.placement_type = 'residential' THEN 'residential_home'
                    WHEN e.placement_type = 'foster' THEN 'foster_carer' ELSE 'carer' END,
               '', CASE WHEN e.flag_cse THEN 'yes' ELSE 'no' END, '', '',
               CASE WHEN e.category = 'away' THEN 'form' ELSE 'feed' END, 1, '',
               coalesce(x.reported_at, e.last_seen_at), coalesce(e.returned_at, x.reported_at, e.last_seen_at)
        FROM synth_episode e JOIN synth_la la ON la.idx = e.la_idx
        CROSS JOIN LATERAL (SELECT
            least(e.last_seen_at + make_interval(mins => (30 + e.r_report * 330)::int), coalesce(e.returned_at, %(now)s)) AS reported_at,
            CASE WHEN e.looked_after THEN CASE WHEN e.r_from < 0.85 THEN 'care_placement' ELSE 'school' END
                 WHEN e.r_from < 0.85 THEN 'home' WHEN e.r_from < 0.95 THEN 'school' ELSE 'other' END AS missing_from) x;

-- 4. Return interviews: the latest return of a child may still be open; earlier ones within
-- 72 hours of a later episode were overtaken (missing again).
CREATE TEMP TABLE synth_interview ON COMMIT DROP AS
        SELECT base.id + row_number() OVER (ORDER BY e.id) AS id, e.id AS episode_id, e.child_id, ch.responsible_authority_id AS local_authority_id,
               e.returned_at, e.returned_at + interval '72 hours' AS due_at, e.risk_level,
               row_number() OVER (PARTITION BY e.child_id ORDER BY e.returned_at DESC, e.id DESC) AS latest,
               random() AS r_status, random() AS r_time, random() AS r_triage, random() AS r_open
        FROM episodes_episode e JOIN synth_child c ON c.id = e.child_id JOIN children_child ch ON ch.id = e.child_id,
             (SELECT coalesce(max(id), 0) AS id FROM interviews_returninterview) base
        WHERE e.category = 'missing' AND e.returned_at IS NOT NULL;

ALTER TABLE synth_interview ADD COLUMN status text, ADD COLUMN outcome_at timestamptz, ADD COLUMN completed_at timestamptz;

UPDATE synth_interview SET status = CASE
              WHEN latest = 1 AND (due_at > %(now)s OR (returned_at > %(now)s::timestamptz - interval '30 days' AND r_open < 0.25))
                THEN 'awaiting_allocation'
              WHEN due_at > %(now)s THEN 'missing_again'
              WHEN r_status < 0.76 THEN 'completed' WHEN r_status < 0.88 THEN 'declined'
              WHEN r_status < 0.94 THEN 'no_contact' WHEN r_status < 0.97 THEN 'missing_again' ELSE 'not_appropriate' END;

UPDATE synth_interview SET
            completed_at = CASE WHEN status = 'completed' THEN least(%(now)s, returned_at + CASE WHEN r_time < 0.85
                THEN make_interval(mins => (360 + r_time / 0.85 * 3960)::int)
                ELSE make_interval(mins => (4380 + (r_time - 0.85) / 0.15 * 10080)::int) END) END,
            outcome_at = CASE WHEN status = 'awaiting_allocation' THEN NULL
                WHEN status = 'completed' THEN NULL
                ELSE least(%(now)s, returned_at + make_interval(mins => (60 + r_time * 4800)::int)) END;

UPDATE synth_interview SET outcome_at = completed_at WHERE status = 'completed';

INSERT INTO interviews_returninterview (
            id, child_id, local_authority_id, status, returned_at, due_at, triage, triage_reasons, triage_override,
            triage_override_reason, outcome_at, completed_at, outcome_reason, parents_offered, parents_information, created_at)
        SELECT id, child_id, local_authority_id, status, returned_at, due_at,
               CASE WHEN risk_level = 'high' OR r_triage < 0.35 THEN 'red' WHEN r_triage < 0.7 THEN 'amber' ELSE 'green' END,
               '[]'::jsonb, '', '', outcome_at, completed_at,
               CASE status WHEN 'declined' THEN 'The child did not want to talk about it.'
                           WHEN 'no_contact' THEN 'No reply to calls, texts or a visit.'
                           WHEN 'missing_again' THEN 'The child went missing again before the interview.'
                           WHEN 'not_appropriate' THEN 'The child is in hospital.' ELSE '' END,
               CASE WHEN status = 'declined' THEN true END, '', returned_at
        FROM synth_interview;

INSERT INTO interviews_returninterview_episodes (returninterview_id, episode_id)
        SELECT id, episode_id FROM synth_interview;

-- Deadlines. An outcome by the due time meets the clock; later, the sweep had breached it.
INSERT INTO deadlines_deadline (kind, subject_type_id, subject_id, due_at, state, opened_at, closed_at, done_at)
        SELECT %(interview_due)s, %(interview_type)s, id, due_at,
               CASE WHEN outcome_at IS NULL AND due_at > %(now)s THEN 'open'
                    WHEN outcome_at IS NOT NULL AND outcome_at <= due_at THEN 'met' ELSE 'breached' END,
               returned_at,
               CASE WHEN outcome_at IS NULL AND due_at > %(now)s THEN NULL
                    WHEN outcome_at IS NOT NULL AND outcome_at <= due_at THEN outcome_at ELSE due_at + interval '5 minutes' END,
               outcome_at
        FROM synth_interview;

INSERT INTO deadlines_deadline (kind, subject_type_id, subject_id, due_at, state, opened_at, closed_at)
        SELECT %(interview_reminder)s, %(interview_type)s, id, returned_at + interval '48 hours',
               CASE WHEN returned_at + interval '48 hours' > %(now)s THEN 'open' ELSE 'breached' END, returned_at,
               CASE WHEN returned_at + interval '48 hours' > %(now)s THEN NULL ELSE returned_at + interval '48 hours 5 minutes' END
        FROM synth_interview WHERE status = 'awaiting_allocation';

-- Safe-and-well checks: none yet within 24 hours of the return; otherwise mostly in time.
CREATE TEMP TABLE synth_check ON COMMIT DROP AS
        SELECT e.id AS episode_id, e.returned_at, e.returned_at + interval '24 hours' AS due_at, random() AS r_kind, random() AS r_time
        FROM episodes_episode e JOIN synth_child c ON c.id = e.child_id
        WHERE e.category <> 'away' AND e.returned_at IS NOT NULL;

INSERT INTO episodes_safeandwellcheck (episode_id, held_at, held_by, outcome, harm_disclosed, not_held_reason, recorded_at)
        SELECT episode_id, CASE WHEN r_kind < 0.97 THEN x.at END, CASE WHEN r_kind < 0.97 THEN 'Police officer' ELSE '' END,
               CASE WHEN r_kind < 0.97 THEN 'Spoke to the child; no further concerns.' ELSE '' END,
               CASE WHEN r_kind >= 0.97 THEN '' WHEN r_time < 0.05 THEN 'yes' ELSE 'no' END,
               CASE WHEN r_kind >= 0.97 THEN 'Agreed with the carer: very frequent episodes, no concerns.' ELSE '' END, x.at
        FROM synth_check CROSS JOIN LATERAL (SELECT returned_at + CASE WHEN r_kind < 0.93 OR r_kind >= 0.97
            THEN make_interval(mins => (30 + r_time * 1380)::int) ELSE make_interval(mins => (1500 + r_time * 2880)::int) END AS at) x
        WHERE due_at <= %(now)s;

INSERT INTO deadlines_deadline (kind, subject_type_id, subject_id, due_at, state, opened_at, closed_at, done_at)
        SELECT %(safe_and_well)s, %(episode_type)s, c.episode_id, c.due_at,
               CASE WHEN s.id IS NULL THEN 'open' WHEN coalesce(s.held_at, s.recorded_at) <= c.due_at THEN 'met' ELSE 'breached' END,
               c.returned_at,
               CASE WHEN s.id IS NULL THEN NULL WHEN coalesce(s.held_at, s.recorded_at) <= c.due_at
                    THEN coalesce(s.held_at, s.recorded_at) ELSE c.due_at + interval '5 minutes' END,
               coalesce(s.held_at, s.recorded_at)
        FROM synth_check c LEFT JOIN episodes_safeandwellcheck s ON s.episode_id = c.episode_id;

INSERT INTO deadlines_deadline (kind, subject_type_id, subject_id, due_at, state, opened_at)
        SELECT %(social_worker_visit)s, %(episode_type)s, e.id, e.returned_at + interval '24 hours', 'open', e.returned_at
        FROM episodes_episode e JOIN synth_child c ON c.id = e.child_id AND c.looked_after
        WHERE e.returned_at > %(now)s::timestamptz - interval '24 hours';

-- Time rules of missing episodes: fired (an escalation, the clock breached) once crossed;
-- still running for an episode not yet there.
CREATE TEMP TABLE synth_rule ON COMMIT DROP AS
        SELECT e.id AS episode_id, e.child_id, c_la.responsible_authority_id AS la_id, e.last_seen_at, e.returned_at,
               r.rule, r.trigger, e.last_seen_at + make_interval(hours => r.hours) AS due_at
        FROM episodes_episode e JOIN synth_child c ON c.id = e.child_id JOIN children_child c_la ON c_la.id = e.child_id
        CROSS JOIN unnest(%(rule_codes)s::text[], %(rule_triggers)s::text[], %(rule_hours)s::int[]) AS r(rule, trigger, hours)
        WHERE e.category = 'missing' AND coalesce(e.returned_at, 'infinity') >= e.last_seen_at + make_interval(hours => r.hours);

INSERT INTO deadlines_deadline (kind, subject_type_id, subject_id, due_at, state, opened_at, closed_at)
        SELECT %(rule_prefix)s || rule, %(episode_type)s, episode_id, due_at,
               CASE WHEN due_at > %(now)s THEN 'open' ELSE 'breached' END, last_seen_at,
               CASE WHEN due_at > %(now)s THEN NULL ELSE due_at + interval '5 minutes' END
        FROM synth_rule;

INSERT INTO risk_escalation (rule, child_id, episode_id, local_authority_id, trigger_key, fired_at, reason, created_work)
        SELECT rule, child_id, episode_id, la_id, 'episode:' || episode_id, due_at + interval '5 minutes',
               trigger || ': last seen ' || to_char(last_seen_at AT TIME ZONE 'Europe/London', 'FMDD Mon YYYY HH24:MI'), '[]'::jsonb
        FROM synth_rule WHERE due_at <= %(now)s;

-- Identity columns given explicit ids carry on after them.
SELECT setval(pg_get_serial_sequence('children_establishment', 'id'), (SELECT max(id) FROM children_establishment));

SELECT setval(pg_get_serial_sequence('children_child', 'id'), (SELECT max(id) FROM children_child));

SELECT setval(pg_get_serial_sequence('episodes_episode', 'id'), (SELECT max(id) FROM episodes_episode));

SELECT setval(pg_get_serial_sequence('interviews_returninterview', 'id'), (SELECT max(id) FROM interviews_returninterview));

-- Fresh statistics, so the first benchmark after the load is not planned on empty tables.
ANALYZE children_establishment, children_child, children_historicalchild, episodes_episode, episodes_safeandwellcheck,
    interviews_returninterview, interviews_returninterview_episodes, deadlines_deadline, risk_escalation;
