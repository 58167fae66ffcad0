/** SQL migrations and other text assets are imported as strings so the compiled binary carries them. */
declare module "*.sql" {
  const text: string;
  export default text;
}

/** The reference config, embedded for `octopus example-config`. */
declare module "*.yaml" {
  const text: string;
  export default text;
}

/** Baked in by `bun build --define`; absent when running from source. */
declare const OCTOPUS_VERSION: string | undefined;
declare const OCTOPUS_COMMIT: string | undefined;

/** Files embedded in the binary (`with { type: "file" }`): the import is their path. */
declare module "*.wasm" {
  const path: string;
  export default path;
}
declare module "*.ttf" {
  const path: string;
  export default path;
}

/** The dashboard's stylesheets and uPlot's browser build, embedded as text (`with { type: "text" }`). */
declare module "*.css" {
  const text: string;
  export default text;
}
declare module "uplot/dist/uPlot.iife.min.js" {
  const text: string;
  export default text;
}
