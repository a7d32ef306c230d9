/**
 * Completion scripts for bash, zsh and fish, rendered from the command table. Loaded
 * only by `autostart completions` (a dynamic import), so other commands do not pay
 * for it.
 *
 * @module
 */

import type { CommandTable } from "../table/mod.ts";
import { renderBash } from "./bash.ts";
import { renderFish } from "./fish.ts";
import { completionModel, type Shell } from "./model.ts";
import { renderZsh } from "./zsh.ts";

export { renderBash } from "./bash.ts";
export { renderFish } from "./fish.ts";
export {
  type ArgKind,
  type CommandCompletion,
  type CompletionModel,
  completionModel,
  type OptionCompletion,
  optionCompletions,
  type Shell,
  SHELLS,
  type ValueKind,
  valueOptions,
} from "./model.ts";
export { renderZsh } from "./zsh.ts";

/**
 * Renders the completion script of a shell for a command table.
 *
 * @param shell bash, zsh or fish
 * @param table the command table
 * @param drivers driver ids, the choices of `--driver`
 * @returns the script text
 * @example Usage
 * ```ts
 * import { renderCompletions } from "./mod.ts";
 * import { TABLE } from "../table/mod.ts";
 * console.assert(renderCompletions("bash", TABLE, []).includes("--keep-alive"));
 * ```
 */
export function renderCompletions(
  shell: Shell,
  table: CommandTable,
  drivers: readonly string[],
): string {
  const model = completionModel(table, drivers);
  return shell === "bash"
    ? renderBash(model)
    : shell === "zsh"
    ? renderZsh(model)
    : renderFish(model);
}
