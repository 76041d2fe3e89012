import { Command, CommanderError, InvalidArgumentError } from "commander";
import pino from "pino";
import { CLI_ACTOR } from "./actor.js";
import { buildApp, REDACT } from "./app.js";
import { ensureFirstOperator } from "./bootstrap.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { loadMasterKeyring } from "./crypto/master-key.js";
import { rotateMasterKey } from "./crypto/rotate-master.js";
import { rotateSigningKey } from "./crypto/signing-keys.js";
import { ensureDemo } from "./demo.js";
import { AppError } from "./errors.js";
import { createLogDestination } from "./log-destination.js";
import { acceptPathOf } from "./modules/access/invitations/routes.js";
import { checkpointChains } from "./modules/audit/checkpoints.js";
import { apiTokenView } from "./modules/tokens/routes.js";
import { SCOPES } from "./modules/tokens/scopes.js";
import { createShutdown } from "./shutdown.js";
import { createServices, type Services } from "./wiring.js";

interface GlobalOpts {
  config?: string;
  data?: string;
}

/**
 * Where a command reads and writes: the process (`processIo`), or a test's buffers, so commands
 * run in process in tests and exactly the same way from `bin/assent.js`.
 */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** All of standard input (a password), without its final newline. */
  readonly stdin: () => Promise<string>;
}

export function processIo(): CliIo {
  return {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    async stdin() {
      if (process.stdin.isTTY) process.stderr.write("password (end with Enter, then Ctrl-D): ");
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks)
        .toString("utf8")
        .replace(/\r?\n$/, "");
    },
  };
}

/** What the commands share: the io, and the exit code a command may set without failing. */
interface Cli extends CliIo {
  print(value: unknown): void;
  exitCode: number;
}

function configFrom(cli: Cli, opts: GlobalOpts & { port?: number; host?: string }): Config {
  const overrides: Record<string, string | number> = {};
  if (opts.data) overrides.dataDir = opts.data;
  if (opts.port !== undefined) overrides.port = opts.port;
  if (opts.host) overrides.host = opts.host;
  return loadConfig(cli.env, overrides, opts.config);
}

async function withServices<T>(cli: Cli, opts: GlobalOpts, run: (s: Services) => Promise<T>): Promise<T> {
  const services = await createServices(configFrom(cli, opts));
  try {
    return await run(services);
  } finally {
    await services.close();
  }
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("a port is 0-65535");
  return n;
};

async function serve(
  cli: Cli,
  opts: GlobalOpts & { port?: number; host?: string; demo?: boolean },
): Promise<void> {
  const config = configFrom(cli, opts);
  const services = await createServices(config);
  const app = await buildApp(services, {
    loggerInstance: pino({ level: config.logLevel, redact: REDACT }, createLogDestination()),
  });
  const first = await ensureFirstOperator(services.users);
  const address = await app.listen({ port: config.port, host: config.host });
  const lines = [
    "",
    `Assent is running at ${address}`,
    `  API docs:   ${address}/docs`,
    `  data:       ${config.dataDir} (regions: ${Object.keys(config.regions).join(", ")})`,
  ];
  if (opts.demo) {
    const demo = await ensureDemo(services);
    if (demo.created) {
      lines.push(
        "",
        `Demo data: ${demo.interactions} synthetic interactions shared by two tenants. Accounts:`,
        "  (demo only: its tenant admins were created directly with these printed passwords; real",
        "   tenant admins are invited with `assent user create --role tenant-admin` and choose their own)",
      );
      for (const a of demo.accounts) {
        lines.push(
          `  ${a.email.padEnd(28)} ${a.password}   ${a.roles.join(",")}${a.tenantId ? ` of ${a.tenantId}` : ""}`,
        );
      }
      for (const k of demo.keys) lines.push(`  ingestion key of ${k.tenantId}: ${k.key}`);
    } else {
      lines.push("", "Demo data is already present (its passwords were printed when it was made).");
    }
  }
  if (first) {
    lines.push(
      "",
      "First start: an operator account was created. Sign in with",
      `  email:    ${first.email}`,
      `  password: ${first.password}   (one-time: change it at first sign-in)`,
      `  curl -c cookies -H 'content-type: application/json' -d '{"email":"${first.email}","password":"${first.password}"}' ${address}/api/session`,
    );
  }
  cli.out(`${lines.join("\n")}\n\n`);
  services.jobs.start(app.log);
  const shutdown = createShutdown({
    steps: [() => services.jobs.stop(), () => app.close(), () => services.close()],
    deadlineMs: config.shutdownDeadlineSeconds * 1000,
    exit: (code) => process.exit(code),
    log: (message) => app.log.warn({ code: "shutdown" }, message),
  });
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

function buildCli(cli: Cli): Command {
  const print = cli.print;
  const program = new Command("assent")
    // Inherited by every subcommand: write through the io, and throw rather than exit.
    .exitOverride()
    .configureOutput({ writeOut: cli.out, writeErr: cli.err })
    .description("Consent-gated data sharing for AI features")
    .option("--config <file>", "configuration file (JSON); also ASSENT_CONFIG")
    .option("--data <dir>", "data directory for the embedded stores; also ASSENT_DATA_DIR")
    .showHelpAfterError();

  program
    .command("serve")
    .description("run the API, the web app and the background jobs")
    .option("--port <n>", "port to listen on (default 8080; also ASSENT_PORT)", port)
    .option("--host <host>", "address to listen on (default 127.0.0.1; also ASSENT_HOST)")
    .option("--demo", "also create demo tenants, staff of every role and synthetic interactions")
    .action(async (opts: { port?: number; host?: string; demo?: boolean }) =>
      serve(cli, { ...program.opts<GlobalOpts>(), ...opts }),
    );

  const tenant = program.command("tenant").description("manage tenants");
  tenant
    .command("create")
    .description("create a tenant in its home region; prints it as JSON")
    .requiredOption("--name <name>", "the tenant's name")
    .requiredOption("--region <region>", "its home region (fixed)")
    .option("--id <id>", "an id of your choice (a-z, 0-9, _ and -)")
    .option(
      "--external-id <id>",
      "the vendor's own id for the tenant (service keys and automation may use it)",
    )
    .action(async (opts: { name: string; region: string; id?: string; externalId?: string }) =>
      withServices(cli, program.opts(), async (s) => {
        const t = await s.tenants.createTenant(opts, CLI_ACTOR);
        print({
          id: t.id,
          name: t.name,
          region: t.region,
          externalId: t.externalId,
          createdAt: new Date(t.createdAt).toISOString(),
        });
      }),
    );
  tenant
    .command("list")
    .description("list tenants as JSON")
    .action(async () =>
      withServices(cli, program.opts(), async (s) => {
        print(await s.tenants.listTenants());
      }),
    );

  const key = program.command("key").description("manage ingestion keys");
  key
    .command("create")
    .description("issue an ingestion key (a tenant's, or a service key); prints it once as JSON")
    .option("--tenant <id>", "the tenant the key sends for")
    .option("--service <name>", "a service key: captures for every tenant of its regions")
    .option("--regions <list>", "with --service: the regions it covers, comma-separated (default: all)")
    .option("--label <label>", "a note to recognise the key by")
    .action(async (opts: { tenant?: string; service?: string; regions?: string; label?: string }) =>
      withServices(cli, program.opts(), async (s) => {
        if ((opts.tenant === undefined) === (opts.service === undefined)) {
          throw new Error("give exactly one of --tenant ID and --service NAME");
        }
        const k =
          opts.service !== undefined
            ? await s.serviceKeys.create(
                {
                  name: opts.service,
                  ...(opts.regions ? { regions: opts.regions.split(",").map((r) => r.trim()) } : {}),
                },
                CLI_ACTOR,
              )
            : await s.tenants.createKey(opts.tenant as string, CLI_ACTOR, opts.label);
        print({ key: k.key, id: k.id, prefix: k.prefix });
      }),
    );
  key
    .command("revoke")
    .description("revoke an ingestion key at once")
    .argument("<id>", "the key's id")
    .option("--service", "the id is a service key's")
    .action(async (id: string, opts: { service?: boolean }) =>
      withServices(cli, program.opts(), async (s) => {
        const k = opts.service
          ? await s.serviceKeys.revoke(id, CLI_ACTOR)
          : await s.tenants.revokeKey(id, CLI_ACTOR);
        print({ id: k.id, revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString() });
      }),
    );

  const token = program.command("token").description("management API tokens (automation)");
  token
    .command("create")
    .description("issue an API token; prints it once as JSON")
    .requiredOption("--name <name>", "what the token is for, e.g. 'Contoso admin console'")
    .requiredOption("--scopes <list>", `comma-separated: ${SCOPES.join(", ")}`)
    .action(async (opts: { name: string; scopes: string }) =>
      withServices(cli, program.opts(), async (s) => {
        const scopes = opts.scopes
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
        const t = await s.tokens.createToken({ name: opts.name, scopes }, CLI_ACTOR);
        print({ token: t.token, id: t.id, name: t.name, scopes: t.scopes });
      }),
    );
  token
    .command("list")
    .description("list API tokens as JSON (never their secrets)")
    .action(async () =>
      withServices(cli, program.opts(), async (s) => {
        print((await s.tokens.listTokens()).map(apiTokenView));
      }),
    );
  token
    .command("revoke")
    .description("revoke an API token at once")
    .argument("<id>", "the token's id")
    .action(async (id: string) =>
      withServices(cli, program.opts(), async (s) => {
        print(apiTokenView(await s.tokens.revokeToken(id, CLI_ACTOR)));
      }),
    );

  const user = program.command("user").description("manage users");
  user
    .command("create")
    .description(
      "create a staff user (the password is read from standard input), or invite a tenant admin: they set their own password through a one-time link",
    )
    .requiredOption("--email <email>", "sign-in email")
    .requiredOption(
      "--role <role...>",
      "tenant-admin, reviewer, approver or operator (staff may hold several)",
    )
    .option("--tenant <id>", "the tenant of a tenant-admin")
    .option("--name <name>", "display name")
    .option("--base-url <url>", "the service's public address, to print the invitation link in full")
    .action(
      async (opts: { email: string; role: string[]; tenant?: string; name?: string; baseUrl?: string }) => {
        if (opts.role.includes("tenant-admin")) {
          // The operator never knows a tenant admin's password (consent is the tenant's to give).
          await withServices(cli, program.opts(), async (s) => {
            if (opts.role.length > 1)
              throw new AppError(400, "invalid_roles", "a tenant admin cannot also hold staff roles");
            if (!opts.tenant)
              throw new AppError(400, "tenant_required", "a tenant admin must belong to a tenant");
            const { invitation, token } = await s.invitations.invite(
              { email: opts.email, tenantId: opts.tenant, name: opts.name ?? null },
              CLI_ACTOR,
            );
            const path = acceptPathOf(token);
            print({
              invitation: invitation.id,
              email: invitation.email,
              tenantId: invitation.tenantId,
              expiresAt: new Date(invitation.expiresAt).toISOString(),
              acceptLink: opts.baseUrl ? `${opts.baseUrl.replace(/\/$/, "")}${path}` : path,
              note: "send the link to the person; it works once, and only they will know their password",
            });
          });
          return;
        }
        const password = await cli.stdin();
        await withServices(cli, program.opts(), async (s) => {
          const u = await s.users.createUser(
            {
              email: opts.email,
              password,
              roles: opts.role,
              tenantId: opts.tenant ?? null,
              name: opts.name ?? null,
            },
            CLI_ACTOR,
          );
          print({ id: u.id, email: u.email, roles: u.roles, tenantId: u.tenantId });
        });
      },
    );

  const keys = program.command("keys").description("the master key and the audit signing key");
  keys
    .command("rotate-master")
    .description(
      "re-wrap every data key (all regions) under a new master key; resumable; prints a report as JSON",
    )
    .action(async () =>
      withServices(cli, program.opts(), async (s) => {
        const { config } = s;
        const keyring = loadMasterKeyring(config.masterKey, config.keys.previousMasterKeys, config.dataDir);
        print(await rotateMasterKey({ regions: s.stores.regions, keyring }));
      }),
    );
  keys
    .command("rotate-signing")
    .description(
      "embedded default: make a new Ed25519 signing key; the old one's public half is kept so its signatures still verify",
    )
    .action(async () => {
      const config = configFrom(cli, program.opts());
      if (config.keys.signingKey)
        throw new AppError(
          400,
          "configured_key",
          "the signing key comes from configuration (ASSENT_SIGNING_KEY): set a new one there and list the old public key in ASSENT_SIGNING_PUBLIC_KEYS",
        );
      print({ kid: rotateSigningKey(config.dataDir) });
    });

  const jobs = program.command("jobs").description("the background jobs (withdrawal purge, retention)");
  jobs
    .command("run-once")
    .description(
      "run the withdrawal purges (and any interrupted purge), the retention sweep and the audit checkpoints now; prints JSON; exit 3 when a job was skipped because another process holds its lease",
    )
    .action(async () =>
      withServices(cli, program.opts(), async (s) => {
        const report = await s.jobs.runOnce();
        print(report);
        if (report.jobs.some((j) => j.status === "failed")) cli.exitCode = 1;
        else {
          // Not a success: another process holds a job's lease (its run does the work, but this
          // one did not). Exit 3 so scripts can tell "try again" from "done".
          const skipped = report.jobs.filter((j) => j.status !== "done");
          for (const j of skipped) cli.err(`assent: ${j.job} ${j.region ?? ""} ${j.status}: ${j.reason}\n`);
          if (skipped.length > 0) cli.exitCode = 3;
        }
      }),
    );

  const audit = program.command("audit").description("the audit log");
  audit
    .command("verify")
    .description(
      "recompute every audit chain and check its signed head checkpoints; exit 1 naming the first broken entry",
    )
    .action(async () =>
      withServices(cli, program.opts(), async (s) => {
        // The same verification as POST /api/audit/verify (the audit service's verify).
        const report = await s.audit.verify();
        print(report);
        if (report.firstBroken) {
          cli.err(`assent: ${report.firstBroken.message}\n`);
          cli.exitCode = 1;
        }
      }),
    );
  audit
    .command("checkpoint")
    .description("sign the head of every audit chain now (the jobs do it every interval); prints the chains")
    .action(async () =>
      withServices(cli, program.opts(), async (s) => {
        print({
          checkpointed: await checkpointChains(s.stores, s.signingKeys, s.clock.now(), s.checkpointFile),
        });
      }),
    );
  return program;
}

/**
 * Runs one `assent` command (argv as in process.argv) and answers its exit code: 0, 1 when it
 * failed, 2 for a bad configuration or a refused request. `serve` answers once it listens.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const cli: Cli = {
    ...io,
    print: (value) => io.out(`${JSON.stringify(value, null, 2)}\n`),
    exitCode: 0,
  };
  try {
    await buildCli(cli).parseAsync([...argv]);
    return cli.exitCode;
  } catch (err) {
    // Commander has written its own message (or the help) already.
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError || err instanceof AppError) {
      io.err(`assent: ${err.message}\n`);
      return 2;
    }
    io.err(`assent: ${(err as Error).message}\n`);
    return 1;
  }
}
