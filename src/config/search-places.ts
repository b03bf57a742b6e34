// The configuration files looked for in the working directory, in this order; the first one
// found is used. A module of its own, importing nothing, so client commands can check for a
// file without loading cosmiconfig, TOML and YAML.
export const SEARCH_PLACES: readonly string[] = [
  'dalga.toml',
  'dalga.yaml',
  'dalga.yml',
  '.dalgarc',
  '.dalgarc.json',
  '.dalgarc.yaml',
  '.dalgarc.yml',
  '.dalgarc.toml',
  'package.json',
];
