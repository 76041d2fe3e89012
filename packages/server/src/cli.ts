/** Entry point of the `assent` command (bin/assent.js runs the compiled form of this file). */
import { processIo, runCli } from "./main.js";

const code = await runCli(process.argv, processIo());
// A failed command may leave a store connection open: end the process with its code.
if (code !== 0) process.exit(code);
