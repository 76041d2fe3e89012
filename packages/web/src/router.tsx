import { createRootRoute, createRoute, createRouter, redirect } from "@tanstack/react-router";
import { App } from "./App.js";
import { AdminCenter } from "./screens/admin/AdminCenter.js";
import { Approvals } from "./screens/approvals/Approvals.js";
import { ApiTokens } from "./screens/operations/ApiTokens.js";
import { AuditLog } from "./screens/operations/AuditLog.js";
import { InsightsPanel } from "./screens/operations/InsightsPanel.js";
import { Operations } from "./screens/operations/Operations.js";
import { ProgramFeatures } from "./screens/operations/ProgramFeatures.js";
import { ServiceKeys } from "./screens/operations/ServiceKeys.js";
import { Tenants } from "./screens/operations/Tenants.js";
import { Users } from "./screens/operations/Users.js";
import { Guarded, Home, NotFound } from "./screens/Routes.js";
import { CompareScreen } from "./screens/review/CompareScreen.js";
import { Datasets } from "./screens/review/Datasets.js";
import { InteractionPage } from "./screens/review/InteractionPage.js";
import { QueueScreen } from "./screens/review/QueueScreen.js";
import { Workbench } from "./screens/review/Workbench.js";
import {
  AUDIT_FILTERS,
  COMPARE_PAIR,
  INSIGHTS_FILTERS,
  parseSearch,
  QUEUE_FILTERS,
  stringifySearch,
  validateFilters,
} from "./search.js";

/**
 * The app's routes (TanStack Router, typed paths and search params). The server answers every
 * app path with index.html. The root route is the session gate; each screen checks its role.
 */
const root = createRootRoute({ component: App, notFoundComponent: NotFound });

const home = createRoute({ getParentRoute: () => root, path: "/", component: Home });

const acceptInvitation = createRoute({
  getParentRoute: () => root,
  path: "/accept-invitation",
  // The session gate (App) shows the form itself: it needs no session.
  component: () => null,
});

const admin = createRoute({
  getParentRoute: () => root,
  path: "/admin",
  component: () => (
    <Guarded screen="/admin">
      <AdminCenter />
    </Guarded>
  ),
});

const review = createRoute({
  getParentRoute: () => root,
  path: "/review",
  validateSearch: validateFilters(QUEUE_FILTERS),
  component: () => (
    <Guarded screen="/review">
      <Workbench />
    </Guarded>
  ),
});

const interaction = createRoute({
  getParentRoute: () => root,
  path: "/review/interactions/$id",
  component: function InteractionRoute() {
    const { id } = interaction.useParams();
    return (
      <Guarded screen="/review">
        <InteractionPage id={id} />
      </Guarded>
    );
  },
});

const queueWork = createRoute({
  getParentRoute: () => root,
  path: "/review/queues/$id",
  component: function QueueRoute() {
    const { id } = queueWork.useParams();
    return (
      <Guarded screen="/review">
        <QueueScreen id={id} />
      </Guarded>
    );
  },
});

const compare = createRoute({
  getParentRoute: () => root,
  path: "/review/compare",
  validateSearch: validateFilters(COMPARE_PAIR),
  component: () => (
    <Guarded screen="/review">
      <CompareScreen />
    </Guarded>
  ),
});

const datasets = createRoute({
  getParentRoute: () => root,
  path: "/review/datasets",
  validateSearch: validateFilters(QUEUE_FILTERS),
  component: () => (
    <Guarded screen="/review">
      <Datasets />
    </Guarded>
  ),
});

const approvals = createRoute({
  getParentRoute: () => root,
  path: "/approvals",
  component: () => (
    <Guarded screen="/approvals">
      <Approvals />
    </Guarded>
  ),
});

const operations = createRoute({
  getParentRoute: () => root,
  path: "/operations",
  component: () => (
    <Guarded screen="/operations">
      <Operations />
    </Guarded>
  ),
});

const opsIndex = createRoute({
  getParentRoute: () => operations,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/operations/tenants", replace: true });
  },
});

const opsTenants = createRoute({ getParentRoute: () => operations, path: "tenants", component: Tenants });
const opsServiceKeys = createRoute({
  getParentRoute: () => operations,
  path: "service-keys",
  component: ServiceKeys,
});
const opsFeatures = createRoute({
  getParentRoute: () => operations,
  path: "features",
  component: ProgramFeatures,
});
const opsUsers = createRoute({ getParentRoute: () => operations, path: "users", component: Users });
const opsTokens = createRoute({ getParentRoute: () => operations, path: "tokens", component: ApiTokens });
const opsInsights = createRoute({
  getParentRoute: () => operations,
  path: "insights",
  validateSearch: validateFilters(INSIGHTS_FILTERS),
  component: InsightsPanel,
});
const opsAudit = createRoute({
  getParentRoute: () => operations,
  path: "audit",
  validateSearch: validateFilters(AUDIT_FILTERS),
  component: AuditLog,
});

const routeTree = root.addChildren([
  home,
  acceptInvitation,
  admin,
  review,
  interaction,
  queueWork,
  compare,
  datasets,
  approvals,
  operations.addChildren([
    opsIndex,
    opsTenants,
    opsServiceKeys,
    opsFeatures,
    opsUsers,
    opsTokens,
    opsInsights,
    opsAudit,
  ]),
]);

export const router = createRouter({
  routeTree,
  parseSearch,
  stringifySearch,
  defaultNotFoundComponent: NotFound,
  scrollRestoration: true,
});

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
