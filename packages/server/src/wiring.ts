import { type Clock, systemClock } from "./clock.js";
import type { Config } from "./config.js";
import { createKeyWrapper } from "./crypto/data-keys.js";
import { loadMasterKeyring } from "./crypto/master-key.js";
import { loadSigningKeys, type SigningKeys } from "./crypto/signing-keys.js";
import { auditCheckpointJob } from "./jobs/audit-checkpoint-job.js";
import { deletionJobs } from "./jobs/deletion-jobs.js";
import { createLeases, JOB_LEASE_MS, newHolderId } from "./jobs/leases.js";
import { createJobScheduler, type JobScheduler } from "./jobs/scheduler.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createGrantsService, type GrantsService } from "./modules/access/grants/service.js";
import { createInvitationsService, type InvitationsService } from "./modules/access/invitations/service.js";
import { createUserLifecycle, type UserLifecycle } from "./modules/access/lifecycle.js";
import { createUsersService, type UsersService } from "./modules/access/service.js";
import { anchorFileOf, checkpointChains } from "./modules/audit/checkpoints.js";
import { type AuditService, createAuditService } from "./modules/audit/service.js";
import { createOtlpService, type OtlpService } from "./modules/capture/otlp/service.js";
import { createServiceTraces, type ServiceTraces } from "./modules/capture/otlp/service-traces.js";
import { type CaptureService, createCaptureService } from "./modules/capture/service.js";
import { createServiceCapture, type ServiceCaptureService } from "./modules/capture/service-capture.js";
import { type AllTenantsSharing, createAllTenantsSharing } from "./modules/consent/all-tenants.js";
import { type AllTenantStreams, createAllTenantStreams } from "./modules/consent/all-tenants-stream.js";
import { createChangeLog } from "./modules/consent/change-log.js";
import { createPollingChangeTail } from "./modules/consent/change-tail.js";
import { createSharingNotifier, type SharingNotifier } from "./modules/consent/notifier.js";
import { type ConsentService, createConsentService } from "./modules/consent/service.js";
import { createDatasetsService, type DatasetsService } from "./modules/datasets/service.js";
import { createInsightsService, type InsightsService } from "./modules/insights/service.js";
import { createManagementService, type ManagementService } from "./modules/management/service.js";
import { createRetentionService, type RetentionService } from "./modules/retention/service.js";
import { createQueuesService, type QueuesService } from "./modules/review/queues/service.js";
import { createReviewService, type ReviewService } from "./modules/review/service.js";
import { createServiceKeysService, type ServiceKeysService } from "./modules/service-keys/service.js";
import { tenantsRepo } from "./modules/tenants/repo.js";
import { createTenantResolver } from "./modules/tenants/resolver.js";
import { createTenantsService, type TenantsService } from "./modules/tenants/service.js";
import { createTokensService, type TokensService } from "./modules/tokens/service.js";
import { openStores, type Stores } from "./stores/open.js";

/** Everything one process runs on: the stores and the services built on them. */
export interface Services {
  readonly config: Config;
  readonly clock: Clock;
  readonly stores: Stores;
  readonly metrics: Metrics;
  readonly tenants: TenantsService;
  readonly serviceKeys: ServiceKeysService;
  readonly consent: ConsentService;
  /** Service keys: every tenant's setting (GET /v1/sharing) and the all-tenant streams. */
  readonly allTenants: AllTenantsSharing;
  readonly allTenantStreams: AllTenantStreams;
  readonly capture: CaptureService;
  /** Capture with a service key: items of many tenants, each through its own gate. */
  readonly serviceCapture: ServiceCaptureService;
  /** OTLP traces with a service key (each span names its tenant). */
  readonly serviceTraces: ServiceTraces;
  /** OTLP/HTTP receiver (/v1/traces, /v1/logs) with its in-memory span/log join. */
  readonly otlp: OtlpService;
  readonly users: UsersService;
  readonly invitations: InvitationsService;
  /** Operators: disable/enable, roles, password reset. */
  readonly userLifecycle: UserLifecycle;
  readonly grants: GrantsService;
  readonly review: ReviewService;
  /** Annotation queues: saved filters sampled into items with a review state. */
  readonly queues: QueuesService;
  readonly audit: AuditService;
  readonly datasets: DatasetsService;
  readonly retention: RetentionService;
  readonly insights: InsightsService;
  readonly tokens: TokensService;
  readonly management: ManagementService;
  /** Signs audit checkpoints (and, with issue 14, consent records); the private key is not in a store. */
  readonly signingKeys: SigningKeys;
  /** Where the latest audit checkpoints are also written (embedded default), or null. */
  readonly checkpointFile: string | null;
  /** The background jobs (withdrawal purge, retention sweep, audit checkpoints); `serve` starts them. */
  readonly jobs: JobScheduler;
  close(): Promise<void>;
}

/** The one place where services are built and handed their dependencies. */
export async function createServices(config: Config, opts: { clock?: Clock } = {}): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const stores = await openStores(config);
  const metrics = createMetrics();
  const loadKeyring = () =>
    loadMasterKeyring(config.masterKey, config.keys.previousMasterKeys, config.dataDir);
  const keyring = loadKeyring();
  const keys = createKeyWrapper(keyring, keyring.file ? { reload: loadKeyring } : {});
  const signingKeys = loadSigningKeys(config.keys, config.dataDir);
  // The embedded default also keeps the latest checkpoints in a file beside the stores.
  const checkpointFile = config.controlStore.startsWith("sqlite:") ? anchorFileOf(config.dataDir) : null;
  let consentRef: ConsentService | null = null;
  const notifier: SharingNotifier = createSharingNotifier({
    pollMs: config.sharingPollMs,
    readStates: (region, ids) => (consentRef as ConsentService).readStates(region, ids),
  });
  const changeLog = createChangeLog({
    tail: createPollingChangeTail({ regions: stores.regions, pollMs: config.sharingPollMs }),
    regions: [...stores.regions.keys()],
    externalIds: (ids) => tenantsRepo.externalIds(stores.control.db, { ids }),
  });
  const consent = createConsentService({
    regions: stores.regions,
    clock,
    program: config.program,
    notifier,
    changeFeed: changeLog,
  });
  const allTenants = createAllTenantsSharing({ regions: stores.regions, control: stores.control.db });
  consentRef = consent;
  const tenants = createTenantsService({ stores, clock, onTenantCreated: (t) => consent.initTenant(t) });
  const serviceKeys = createServiceKeysService({
    control: stores.control,
    clock,
    regions: () => tenants.regions(),
  });
  const allTenantStreams = createAllTenantStreams({
    sharing: allTenants,
    changes: changeLog,
    liveKeyIds: (ids) => serviceKeys.liveIds(ids),
    keyCheckMs: Math.max(1000, config.sharingPollMs * 10),
  });
  const capture = createCaptureService({
    consent,
    regions: stores.regions,
    keys,
    clock,
    program: config.program,
    ingest: config.ingest,
    metrics,
  });
  const serviceCapture = createServiceCapture({
    capture,
    resolver: createTenantResolver({ control: stores.control.db, now: () => clock.now() }),
    clock,
    program: config.program,
    ingest: config.ingest,
    metrics,
  });
  const otlp = createOtlpService({ capture, clock, program: config.program, ingest: config.ingest, metrics });
  const serviceTraces = createServiceTraces({
    serviceCapture,
    clock,
    program: config.program,
    ingest: config.ingest,
    otlp: config.otlp,
    metrics,
  });
  const users = createUsersService({
    control: stores.control,
    clock,
    sessionHours: config.access.sessionHours,
    throttle: config.access,
    tenantExists: async (id) => (await tenants.findTenant(id)) !== null,
  });
  const userLifecycle = createUserLifecycle({ control: stores.control, clock });
  const invitations = createInvitationsService({
    control: stores.control,
    clock,
    users,
    tenantExists: async (id) => (await tenants.findTenant(id)) !== null,
  });
  const grants = createGrantsService({
    control: stores.control,
    clock,
    settings: config.access,
    regions: () => tenants.regions(),
    findTenant: (id) => tenants.findTenant(id),
  });
  metrics.watchGrants(() => grants.countActiveGrants());
  const review = createReviewService({
    grants,
    capture,
    regions: stores.regions,
    findTenant: (id) => tenants.findTenant(id),
    listTenants: () => tenants.listTenants(),
    clock,
    program: config.program,
  });
  const queues = createQueuesService({
    regions: stores.regions,
    grants,
    findTenant: (id) => tenants.findTenant(id),
    clock,
    program: config.program,
  });
  const datasets = createDatasetsService({
    regions: stores.regions,
    grants,
    review,
    capture,
    clock,
    program: config.program,
  });
  const audit = createAuditService({
    stores,
    grants,
    users,
    identity: config.access.transparencyIdentity,
    checkpoints: { keys: signingKeys, anchorFile: checkpointFile },
  });
  const retention = createRetentionService({
    regions: stores.regions,
    clock,
    keys,
    metrics,
    program: config.program,
    consent,
    withdrawalLeadMs: config.jobs.intervalSeconds * 1000,
    staleReceiptMs: 2 * JOB_LEASE_MS,
    batchSize: config.jobs.purgeBatchSize,
  });
  metrics.watchDeletion(() => retention.gauges());
  const insights = createInsightsService({
    regions: stores.regions,
    clock,
    program: config.program,
    countSharing: (region) => consent.countSharing(region),
  });
  await insights.foldPendingRollups();
  const tokens = createTokensService({ control: stores.control, clock });
  const management = createManagementService({ tenants, consent });
  const jobs = createJobScheduler({
    leases: createLeases({ control: stores.control, clock, holderId: newHolderId() }),
    clock,
    intervalSeconds: config.jobs.intervalSeconds,
    jobs: [
      ...deletionJobs(retention, config.jobs.retentionSweepMinutes),
      auditCheckpointJob(() => checkpointChains(stores, signingKeys, clock.now(), checkpointFile)),
    ],
    leaseMs: JOB_LEASE_MS,
  });
  return {
    config,
    clock,
    stores,
    metrics,
    tenants,
    serviceKeys,
    consent,
    allTenants,
    allTenantStreams,
    capture,
    serviceCapture,
    serviceTraces,
    otlp,
    users,
    invitations,
    userLifecycle,
    grants,
    review,
    queues,
    audit,
    datasets,
    retention,
    insights,
    tokens,
    management,
    jobs,
    signingKeys,
    checkpointFile,
    async close() {
      await jobs.stop();
      notifier.close();
      allTenantStreams.close();
      changeLog.close();
      await stores.close();
    },
  };
}
