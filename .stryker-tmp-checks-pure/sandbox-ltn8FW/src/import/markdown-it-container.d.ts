// @ts-nocheck
// markdown-it-container ships no types: the plugin's signature, as its README documents it.
declare module "markdown-it-container" {
  import type { PluginWithParams } from "markdown-it";

  const container: PluginWithParams;
  export default container;
}
