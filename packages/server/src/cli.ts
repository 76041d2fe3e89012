/** Entry point of the `assent` command (bin/assent.js runs the compiled form of this file). */
import { runCli } from "./main.js";

await runCli(process.argv);
