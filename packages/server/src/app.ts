import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { installIngestAdmission } from "./http/admission.js";
import { createGuards } from "./http/auth.js";
import { bearerCredential } from "./http/credentials.js";
import { installCsrfCheck } from "./http/csrf.js";
import { installErrorHandler, installJsonParser } from "./http/error-handler.js";
import { installFiniteNumbers } from "./http/finite-numbers.js";
import { opsRoutes } from "./http/ops-routes.js";
import { createManagementGuards } from "./http/token-auth.js";
import { DEFAULT_WEB_ROOT, webRoutes } from "./http/web-routes.js";
import { sha256Hex } from "./ids.js";
import { grantsRoutes } from "./modules/access/grants/routes.js";
import { invitationRoutes } from "./modules/access/invitations/routes.js";
import { lifecycleRoutes } from "./modules/access/lifecycle-routes.js";
import { accessRoutes } from "./modules/access/routes.js";
import { auditRoutes } from "./modules/audit/routes.js";
import { otlpRoutes } from "./modules/capture/otlp/routes.js";
import { captureRoutes } from "./modules/capture/routes.js";
import { adminStreamRoutes } from "./modules/consent/admin-stream.js";
import { consentRoutes } from "./modules/consent/routes.js";
import { datasetsRoutes } from "./modules/datasets/routes.js";
import { evidenceRoutes } from "./modules/evidence/routes.js";
import { insightsRoutes } from "./modules/insights/routes.js";
import { managementRoutes } from "./modules/management/routes.js";
import { programFeaturesRoutes } from "./modules/program-features/routes.js";
import { retentionRoutes } from "./modules/retention/routes.js";
import { queuesRoutes } from "./modules/review/queues/routes.js";
import { reviewRoutes } from "./modules/review/routes.js";
import { scopesRoutes } from "./modules/scopes/routes.js";
import { serviceKeysRoutes } from "./modules/service-keys/routes.js";
import { tenantsRoutes } from "./modules/tenants/routes.js";
import { tokensRoutes } from "./modules/tokens/routes.js";
import { webhooksRoutes } from "./modules/webhooks/routes.js";
import type { Services } from "./wiring.js";

export interface AppOptions {
  /** Fastify's logger option: pino options, or a pino-compatible instance (tests pass a capturing stream). */
  readonly logger?: FastifyServerOptions["logger"];
  readonly loggerInstance?: FastifyServerOptions["loggerInstance"];
  readonly secureCookies?: boolean;
  /** The built web app served at `/` (default: packages/web/dist). */
  readonly webRoot?: string;
  /** The window of the per-key ingest rate limit, in ms (default a minute); tests shorten it. */
  readonly rateLimitWindowMs?: number;
}

/** Headers never logged: credentials. Bodies are never logged at all. */
export const REDACT = ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'];

/** Builds the HTTP application on top of the services. No listen, no globals. */
export async function buildApp(services: Services, opts: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    ...(opts.loggerInstance
      ? { loggerInstance: opts.loggerInstance }
      : { logger: opts.logger ?? { level: config.logLevel, redact: REDACT } }),
    bodyLimit: 256 * 1024,
    forceCloseConnections: true,
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest("user", null);
  app.decorateRequest("ingestKey", null);
  app.decorateRequest("serviceKey", null);
  app.decorateRequest("tenantAdmin", null);
  app.decorateRequest("apiToken", null);
  installJsonParser(app);
  installErrorHandler(app, config.ingest.maxBodyBytes, config.ingest.maxConcurrentDrains);
  installFiniteNumbers(app);
  installCsrfCheck(app);
  installIngestAdmission(app, config.ingest, services.metrics.registry);

  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Assent API",
        version: "0.1.0",
        description: "Consent-gated data sharing for AI features. Errors are {error, message}.",
      },
      components: {
        securitySchemes: {
          ingestionKey: {
            type: "http",
            scheme: "bearer",
            description: "an ingestion key: a tenant's (ask_…) or a service key (assk_…)",
          },
          apiToken: { type: "http", scheme: "bearer", description: "a management API token (asmt_…)" },
          session: { type: "apiKey", in: "cookie", name: "assent_session" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  const guards = createGuards({
    users: services.users,
    tenants: services.tenants,
    serviceKeys: services.serviceKeys,
  });
  const { scoped } = createManagementGuards({ tokens: services.tokens, guards });
  const perKey = (request: { headers: Record<string, unknown>; ip: string }) => {
    const credential = bearerCredential(request.headers.authorization);
    return credential ? `key:${sha256Hex(credential)}` : `ip:${request.ip}`;
  };
  const ingestRateLimit =
    config.ingest.rateLimitPerMinute > 0
      ? {
          rateLimit: {
            max: config.ingest.rateLimitPerMinute,
            timeWindow: opts.rateLimitWindowMs ?? 60_000,
            keyGenerator: perKey,
          },
        }
      : {};

  await app.register(opsRoutes, { stores: services.stores, registry: services.metrics.registry });
  await app.register(accessRoutes, {
    users: services.users,
    guards,
    secureCookies: opts.secureCookies ?? false,
    signInRateLimit: { rateLimit: { max: 30, timeWindow: "1 minute" } },
  });
  await app.register(lifecycleRoutes, {
    lifecycle: services.userLifecycle,
    users: services.users,
    guards,
  });
  await app.register(invitationRoutes, {
    invitations: services.invitations,
    guards,
    secureCookies: opts.secureCookies ?? false,
    signInRateLimit: { rateLimit: { max: 30, timeWindow: "1 minute" } },
  });
  await app.register(tenantsRoutes, { tenants: services.tenants, scoped });
  await app.register(tokensRoutes, { tokens: services.tokens, guards });
  await app.register(managementRoutes, {
    management: services.management,
    tenants: services.tenants,
    consent: services.consent,
    program: () => services.programFeatures.program(),
    scoped,
  });
  await app.register(programFeaturesRoutes, { features: services.programFeatures, scoped });
  await app.register(serviceKeysRoutes, { serviceKeys: services.serviceKeys, guards });
  await app.register(grantsRoutes, { grants: services.grants, guards, clock: services.clock });
  await app.register(reviewRoutes, { review: services.review, guards });
  await app.register(queuesRoutes, { queues: services.queues, guards });
  await app.register(auditRoutes, { audit: services.audit, guards });
  await app.register(datasetsRoutes, { datasets: services.datasets, guards });
  await app.register(consentRoutes, {
    consent: services.consent,
    tenants: services.tenants,
    streams: services.sharingStreams,
    program: () => services.programFeatures.program(),
    guards,
    allTenants: services.allTenants,
    allTenantStreams: services.allTenantStreams,
    scopes: services.scopes,
  });
  await app.register(scopesRoutes, {
    scopes: services.scopes,
    guards,
    scoped,
    resolveTenant: (ref) => services.management.resolveTenant(ref),
  });
  await app.register(adminStreamRoutes, {
    consent: services.consent,
    users: services.users,
    guards,
    sessionCheckMs: Math.max(1000, config.sharingPollMs * 10),
  });
  await app.register(retentionRoutes, {
    retention: services.retention,
    consent: services.consent,
    program: () => services.programFeatures.program(),
    guards,
  });
  await app.register(evidenceRoutes, { evidence: services.evidence, guards });
  await app.register(webhooksRoutes, { webhooks: services.webhooks, guards });
  await app.register(insightsRoutes, { insights: services.insights, guards });
  await app.register(captureRoutes, {
    capture: services.capture,
    serviceCapture: services.serviceCapture,
    ingest: config.ingest,
    guards,
    rateLimit: ingestRateLimit,
  });
  await app.register(otlpRoutes, {
    otlp: services.otlp,
    serviceOtlp: services.serviceOtlp,
    guards,
    maxBodyBytes: config.ingest.maxBodyBytes,
    rateLimit: ingestRateLimit,
    expireEveryMs: Math.min(1000, Math.max(100, config.ingest.otlpJoinWindowMs)),
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(webRoutes, { root: opts.webRoot ?? DEFAULT_WEB_ROOT });
  return app;
}
