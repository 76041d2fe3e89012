import { type Clock, systemClock } from "./clock.js";
import type { Config } from "./config.js";
import { createKeyWrapper } from "./crypto/data-keys.js";
import { loadMasterKey } from "./crypto/master-key.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createUsersService, type UsersService } from "./modules/access/service.js";
import { type CaptureService, createCaptureService } from "./modules/capture/service.js";
import { createSharingNotifier, type SharingNotifier } from "./modules/consent/notifier.js";
import { type ConsentService, createConsentService } from "./modules/consent/service.js";
import { createTenantsService, type TenantsService } from "./modules/tenants/service.js";
import { openStores, type Stores } from "./stores/open.js";

/** Everything one process runs on: the stores and the services built on them. */
export interface Services {
  readonly config: Config;
  readonly clock: Clock;
  readonly stores: Stores;
  readonly metrics: Metrics;
  readonly tenants: TenantsService;
  readonly consent: ConsentService;
  readonly capture: CaptureService;
  readonly users: UsersService;
  close(): Promise<void>;
}

/** The one place where services are built and handed their dependencies. */
export async function createServices(config: Config, opts: { clock?: Clock } = {}): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const stores = await openStores(config);
  const metrics = createMetrics();
  const keys = createKeyWrapper(loadMasterKey(config.masterKey, config.dataDir));
  let consentRef: ConsentService | null = null;
  const notifier: SharingNotifier = createSharingNotifier({
    pollMs: config.sharingPollMs,
    readStates: (region, ids) => (consentRef as ConsentService).readStates(region, ids),
  });
  const consent = createConsentService({ regions: stores.regions, clock, program: config.program, notifier });
  consentRef = consent;
  const tenants = createTenantsService({ stores, clock, onTenantCreated: (t) => consent.initTenant(t) });
  const capture = createCaptureService({
    consent,
    regions: stores.regions,
    keys,
    clock,
    program: config.program,
    ingest: config.ingest,
    metrics,
  });
  const users = createUsersService({
    control: stores.control,
    clock,
    sessionHours: config.access.sessionHours,
    tenantExists: async (id) => (await tenants.findTenant(id)) !== null,
  });
  return {
    config,
    clock,
    stores,
    metrics,
    tenants,
    consent,
    capture,
    users,
    async close() {
      notifier.close();
      await stores.close();
    },
  };
}
