// Builds Homeward's front-end assets from GOV.UK Frontend into static/homeward/.
//
// Run with `npm run build` after changing assets/homeward.scss or upgrading govuk-frontend.
// The output is committed, so running the service never needs Node.
//
// 1. Compile assets/homeward.scss (GOV.UK Frontend set to Arial) to homeward.css.
// 2. Check the stylesheet carries no GDS Transport font, which is for GOV.UK only.
// 3. Copy GOV.UK Frontend's ES module build (and its source map, which Django's manifest
//    storage needs because the script names it).
// 4. Copy the images the stylesheet refers to, and write Homeward's own favicon: GOV.UK
//    Frontend's favicons and app icons are the crown, so they are not copied.
//
// static/homeward/init.mjs, session-timeout.mjs and ticking.mjs are hand-written and left alone.
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const govuk = path.join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = path.join(root, "static", "homeward");
const outAssets = path.join(out, "assets");

// Homeward's mark: a white house on the brand blue, readable at 16 pixels.
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="4" fill="#1d70b8"/>
<path d="M16 5 4 15.5h3.5V27h6.5v-7h4v7h6.5V15.5H28z" fill="#ffffff"/>
</svg>
`;

// GOV.UK Frontend asks this for every image URL in its styles. The crest (the royal coat of
// arms) is for the Crown only, so it becomes `none` instead of a file we would ship.
const CROWN_IMAGES = new Set(["govuk-crest.svg"]);

function homewardImageUrl([filename]) {
  const name = filename.assertString("filename").text;
  if (CROWN_IMAGES.has(name)) {
    return new sass.SassString("none", { quotes: false });
  }
  return new sass.SassString(`url("assets/images/${name}")`, { quotes: false });
}

async function buildStylesheet() {
  const result = sass.compile(path.join(root, "assets", "homeward.scss"), {
    style: "compressed",
    importers: [new sass.NodePackageImporter(root)],
    functions: { "homeward-image-url($filename)": homewardImageUrl },
    quietDeps: true,
  });
  const css = result.css;
  if (css.includes("GDS Transport")) {
    throw new Error("homeward.css mentions GDS Transport: check $govuk-font-family in homeward.scss");
  }
  if (!/font-family:arial/i.test(css)) {
    throw new Error("homeward.css does not set Arial: check $govuk-font-family in homeward.scss");
  }
  await writeFile(path.join(out, "homeward.css"), css + "\n");
  return css;
}

async function copyReferencedImages(css) {
  // url(assets/images/x.svg) -> copy images/x.svg from GOV.UK Frontend's assets.
  const urls = new Set([...css.matchAll(/url\(["']?assets\/([^"')]+)["']?\)/g)].map((m) => m[1]));
  for (const relative of urls) {
    if (relative.startsWith("fonts/")) {
      throw new Error(`homeward.css refers to a font file (${relative}): fonts must not be shipped`);
    }
    await mkdir(path.dirname(path.join(outAssets, relative)), { recursive: true });
    await copyFile(path.join(govuk, "assets", relative), path.join(outAssets, relative));
  }
  return [...urls];
}

async function main() {
  await rm(outAssets, { recursive: true, force: true });
  await mkdir(path.join(outAssets, "images"), { recursive: true });

  const css = await buildStylesheet();
  const images = await copyReferencedImages(css);

  for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
    await copyFile(path.join(govuk, name), path.join(out, name));
  }
  await writeFile(path.join(outAssets, "images", "favicon.svg"), FAVICON_SVG);

  const { version } = JSON.parse(await readFile(path.join(govuk, "..", "..", "package.json"), "utf8"));
  console.log(
    `Built static/homeward/ from govuk-frontend ${version}: homeward.css (${css.length} bytes), ` +
      `govuk-frontend.min.js, ${images.length} image(s) referenced by the stylesheet, favicon.svg`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
