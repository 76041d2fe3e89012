import { type Clock, systemClock } from "./clock.js";
import type { Config } from "./config.js";
import { createKeyWrapper } from "./crypto/data-keys.js";
import { loadMasterKeyring } from "./crypto/master-key.js";
import { loadSigningKeys, type SigningKeys } from "./crypto/signing-keys.js";
import { auditCheckpointJob } from "./jobs/audit-checkpoint-job.js";
import { deletionJobs } from "./jobs/deletion-jobs.js";
import { createLeases, JOB_LEASE_MS, newHolderId } from "./jobs/leases.js";
import { createJobScheduler, type JobScheduler } from "./jobs/scheduler.js";
import { webhookJobs } from "./jobs/webhook-jobs.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createGrantsService, type GrantsService } from "./modules/access/grants/service.js";
import { createInvitationsService, type InvitationsService } from "./modules/access/invitations/service.js";
import { createUserLifecycle, type UserLifecycle } from "./modules/access/lifecycle.js";
import { createUsersService, type UsersService } from "./modules/access/service.js";
import { anchorFileOf, checkpointChains } from "./modules/audit/checkpoints.js";
import { type AuditService, createAuditService } from "./modules/audit/service.js";
import { createOtlpService, type OtlpService } from "./modules/capture/otlp/service.js";
import { createServiceOtlp, type ServiceOtlp } from "./modules/capture/otlp/service-otlp.js";
import { type CaptureService, createCaptureService } from "./modules/capture/service.js";
import { createServiceCapture, type ServiceCaptureService } from "./modules/capture/service-capture.js";
import { type AllTenantsSharing, createAllTenantsSharing } from "./modules/consent/all-tenants.js";
import { type AllTenantStreams, createAllTenantStreams } from "./modules/consent/all-tenants-stream.js";
import { createChangeLog } from "./modules/consent/change-log.js";
import { createPollingChangeTail } from "./modules/consent/change-tail.js";
import { createSharingNotifier, type SharingNotifier } from "./modules/consent/notifier.js";
import { createSharingStreams, type SharingStreams } from "./modules/consent/open-streams.js";
import { type ConsentService, createConsentService } from "./modules/consent/service.js";
import { createDatasetsService, type DatasetsService } from "./modules/datasets/service.js";
import { createConsentRecorder } from "./modules/evidence/records.js";
import { createEvidenceService, type EvidenceService } from "./modules/evidence/service.js";
import { createInsightsService, type InsightsService } from "./modules/insights/service.js";
import { createManagementService, type ManagementService } from "./modules/management/service.js";
import {
  createProgramFeaturesService,
  type ProgramFeaturesService,
} from "./modules/program-features/service.js";
import { createRetentionService, type RetentionService } from "./modules/retention/service.js";
import { createQueuesService, type QueuesService } from "./modules/review/queues/service.js";
import { createReviewService, type ReviewService } from "./modules/review/service.js";
import { createSdkExclusionsReader } from "./modules/scopes/sdk-exclusions.js";
import { createScopesService, type ScopesService } from "./modules/scopes/service.js";
import { createSubjectHasher, type SubjectHasher } from "./modules/scopes/subject-keys.js";
import { createServiceKeysService, type ServiceKeysService } from "./modules/service-keys/service.js";
import { tenantsRepo } from "./modules/tenants/repo.js";
import { createTenantResolver } from "./modules/tenants/resolver.js";
import { createTenantsService, type TenantsService } from "./modules/tenants/service.js";
import { createTokensService, type TokensService } from "./modules/tokens/service.js";
import { createWebhooksService, type WebhooksService } from "./modules/webhooks/service.js";
import { type ChangeSignals, createChangeSignals } from "./stores/change-signals.js";
import { openStores, type Stores } from "./stores/open.js";
import { watchStores } from "./stores/store-metrics.js";

/** Everything one process runs on: the stores and the services built on them. */
export interface Services {
  readonly config: Config;
  readonly clock: Clock;
  readonly stores: Stores;
  readonly metrics: Metrics;
  readonly tenants: TenantsService;
  readonly serviceKeys: ServiceKeysService;
  readonly consent: ConsentService;
  /** The program's AI features: the configuration's and those declared through the management API. */
  readonly programFeatures: ProgramFeaturesService;
  /** Consent scopes: excluded subjects, erasure of one subject's data, the scope history. */
  readonly scopes: ScopesService;
  /** Keyed hashes of subjects (the raw ids never reach a store). */
  readonly subjects: SubjectHasher;
  /** Service keys: every tenant's setting (GET /v1/sharing) and the all-tenant streams. */
  readonly allTenants: AllTenantsSharing;
  readonly allTenantStreams: AllTenantStreams;
  /** Every sharing stream open in this process: one heartbeat, one key check, bounded buffers. */
  readonly sharingStreams: SharingStreams;
  /** Changes pushed by the PostgreSQL stores (LISTEN/NOTIFY, ADR 0010); none on SQLite. */
  readonly signals: ChangeSignals;
  readonly capture: CaptureService;
  /** Capture with a service key: items of many tenants, each through its own gate. */
  readonly serviceCapture: ServiceCaptureService;
  /** OTLP traces with a service key (each span names its tenant). */
  readonly serviceOtlp: ServiceOtlp;
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
  /** Signed consent records and receipts, the notice, the tenant's evidence bundle. */
  readonly evidence: EvidenceService;
  /** Tenant webhooks for access and deletion events, and their dispatcher. */
  readonly webhooks: WebhooksService;
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
  const signals = createChangeSignals([stores.control, ...stores.regions.values()]);
  let consentRef: ConsentService | null = null;
  const notifier: SharingNotifier = createSharingNotifier({
    pollMs: config.sharingPollMs,
    readStates: (region, ids) => (consentRef as ConsentService).readStates(region, ids),
    storeNames: new Map([...stores.regions].map(([region, store]) => [region, store.name])),
    signals,
  });
  const subjects = createSubjectHasher({ regions: stores.regions, keys, clock });
  const sdkExclusions = createSdkExclusionsReader({ regions: stores.regions, subjects });
  const changeLog = createChangeLog({
    tail: createPollingChangeTail({ regions: stores.regions, pollMs: config.sharingPollMs, signals }),
    regions: [...stores.regions.keys()],
    externalIds: (ids) => tenantsRepo.externalIds(stores.control.db, { ids }),
    exclusions: (region, ids) => sdkExclusions.inRegion(region, ids),
  });
  const recorder = createConsentRecorder({ signer: signingKeys, program: config.program });
  const programFeatures = createProgramFeaturesService({
    control: stores.control,
    clock,
    program: config.program,
  });
  const consent = createConsentService({
    regions: stores.regions,
    clock,
    program: config.program,
    features: programFeatures,
    recorder,
    notifier,
    changeFeed: changeLog,
  });
  const allTenants = createAllTenantsSharing({
    regions: stores.regions,
    control: stores.control.db,
    exclusions: sdkExclusions,
  });
  consentRef = consent;
  const tenants = createTenantsService({ stores, clock, onTenantCreated: (t) => consent.initTenant(t) });
  const serviceKeys = createServiceKeysService({
    control: stores.control,
    clock,
    regions: () => tenants.regions(),
  });
  const sharingStreams = createSharingStreams({
    liveKeyIds: { tenant: (ids) => tenants.liveKeyIds(ids), service: (ids) => serviceKeys.liveIds(ids) },
    keyCheckMs: Math.max(1000, config.sharingPollMs * 10),
    controlStore: stores.control.name,
    signals,
  });
  watchStores(metrics.registry, stores, signals, () => sharingStreams.count());
  const allTenantStreams = createAllTenantStreams({
    sharing: allTenants,
    changes: changeLog,
    streams: sharingStreams,
  });
  const scopes = createScopesService({
    regions: stores.regions,
    clock,
    subjects,
    sdkExclusions,
    notifier,
    changeFeed: changeLog,
    metrics,
    recorder,
    signer: signingKeys,
  });
  const capture = createCaptureService({
    subjects,
    consent,
    regions: stores.regions,
    keys,
    clock,
    program: config.program,
    ingest: config.ingest,
    metrics,
  });
  const resolver = createTenantResolver({ control: stores.control.db, now: () => clock.now() });
  const serviceCapture = createServiceCapture({
    capture,
    resolver,
    clock,
    program: config.program,
    ingest: config.ingest,
    metrics,
  });
  const otlp = createOtlpService({ capture, clock, program: config.program, ingest: config.ingest, metrics });
  const serviceOtlp = createServiceOtlp({
    serviceCapture,
    otlpService: otlp,
    resolver,
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
  let evidenceRef: EvidenceService | null = null;
  const datasets = createDatasetsService({
    regions: stores.regions,
    grants,
    review,
    capture,
    clock,
    program: config.program,
    acceptedPurposes: (region, ids) => (evidenceRef as EvidenceService).acceptedPurposes(region, ids),
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
    signer: signingKeys,
  });
  const evidence = createEvidenceService({
    regions: stores.regions,
    clock,
    program: config.program,
    keys: signingKeys,
    recorder,
    consent,
    retention,
    audit,
  });
  evidenceRef = evidence;
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
  const webhooks = createWebhooksService({ regions: stores.regions, clock });
  const jobs = createJobScheduler({
    leases: createLeases({ control: stores.control, clock, holderId: newHolderId() }),
    clock,
    intervalSeconds: config.jobs.intervalSeconds,
    jobs: [
      ...deletionJobs(retention, config.jobs.retentionSweepMinutes),
      ...webhookJobs(webhooks),
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
    programFeatures,
    scopes,
    subjects,
    allTenants,
    allTenantStreams,
    sharingStreams,
    signals,
    capture,
    serviceCapture,
    serviceOtlp,
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
    evidence,
    webhooks,
    jobs,
    signingKeys,
    checkpointFile,
    async close() {
      await jobs.stop();
      notifier.close();
      allTenantStreams.close();
      sharingStreams.close();
      changeLog.close();
      await signals.close();
      await stores.close();
    },
  };
}
