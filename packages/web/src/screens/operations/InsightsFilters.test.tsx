// @vitest-environment happy-dom
import type { ProgramOverview, Tenant } from "@assent/sdk/contract/staff";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createMemoryHistory,
  createRootRoute,
  createRoute,
  createRouter,
  Outlet,
  RouterProvider,
  useNavigate,
  useSearch,
} from "@tanstack/react-router";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import { queries } from "../../api/queries.js";
import { INSIGHTS_FILTERS, parseSearch, stringifySearch, validateFilters } from "../../search.js";
import { useFilters } from "../../ui/Filters.js";
import { InsightsFilters } from "./InsightsFilters.js";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const tenant = (id: string, name: string, region: string): Tenant => ({
  id,
  name,
  region,
  externalId: null,
  createdAt: "2026-11-30T10:00:00.000Z",
});
const TENANTS = [
  tenant("t-eu", "Contoso", "eu"),
  tenant("t-eu2", "Fabrikam", "eu"),
  tenant("t-us", "Initech", "us"),
];
const PROGRAM: ProgramOverview = {
  program: {
    name: "Improve",
    description: "",
    retentionDays: 90,
    withdrawalDeleteDays: 30,
    allowedPurposes: [],
    features: [],
    neverAllowed: [],
    whoCanSee: "",
    lockbox: "",
  },
  regions: ["eu", "us"],
};

/** The insights route's filters (the app's path and search helpers), over a cache holding the choices. */
function makeRouter(initial: string) {
  const root = createRootRoute({ component: Outlet });
  const insights = createRoute({
    getParentRoute: () => root,
    path: "/operations/insights",
    validateSearch: validateFilters(INSIGHTS_FILTERS),
    component: function Insights() {
      const search = useSearch({ from: "/operations/insights" });
      const navigate = useNavigate({ from: "/operations/insights" });
      const { apply, field } = useFilters("insights", INSIGHTS_FILTERS, search, (next) => {
        void navigate({ search: next });
      });
      return <InsightsFilters field={field} onSubmit={apply} />;
    },
  });
  return createRouter({
    routeTree: root.addChildren([insights]),
    history: createMemoryHistory({ initialEntries: [initial] }),
    parseSearch,
    stringifySearch,
  });
}

let reactRoot: Root | null = null;
afterEach(() => {
  act(() => reactRoot?.unmount());
  document.body.innerHTML = "";
});

async function mount(initial: string) {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Number.POSITIVE_INFINITY } } });
  client.setQueryData(queries.program().queryKey, PROGRAM);
  client.setQueryData(queries.tenants().queryKey, TENANTS);
  const router = makeRouter(initial);
  const host = document.createElement("div");
  document.body.append(host);
  reactRoot = createRoot(host);
  await act(async () => {
    reactRoot?.render(
      <QueryClientProvider client={client}>
        <RouterProvider router={router} />
      </QueryClientProvider>,
    );
    await router.load();
  });
  const select = (id: string) => host.querySelector(`#${id}`) as HTMLSelectElement;
  const options = (id: string) => [...select(id).options].map((o) => o.textContent);
  const choose = (id: string, value: string) =>
    act(() => {
      select(id).value = value;
      select(id).dispatchEvent(new Event("change", { bubbles: true }));
    });
  const submit = () =>
    act(async () => {
      (host.querySelector("form") as HTMLFormElement).requestSubmit();
    });
  return { router, select, options, choose, submit };
}

describe("insights filters: pickers kept in the URL", () => {
  it("offers regions and tenants by name, and shows the URL's choice", async () => {
    const { select, options } = await mount("/operations/insights?region=eu&tenant=t-eu2");
    expect(options("insights-region")).toEqual(["Any region", "eu", "us"]);
    expect(select("insights-region").value).toBe("eu");
    // Only the tenants of the chosen region, by name.
    expect(options("insights-tenant")).toEqual(["Every tenant", "Contoso (eu)", "Fabrikam (eu)"]);
    expect(select("insights-tenant").value).toBe("t-eu2");
  });

  it("writes the chosen region and tenant to the URL on Apply, not before", async () => {
    const { router, choose, submit, options } = await mount("/operations/insights");
    expect(options("insights-tenant")).toHaveLength(4);
    choose("insights-region", "us");
    choose("insights-tenant", "t-us");
    expect(router.state.location.searchStr).toBe("");
    await submit();
    expect(router.state.location.searchStr).toBe("?region=us&tenant=t-us");
  });

  it("lets go of a tenant of another region when a region is chosen", async () => {
    const { router, select, choose, submit } = await mount("/operations/insights?tenant=t-eu");
    expect(select("insights-tenant").value).toBe("t-eu");
    choose("insights-region", "eu");
    expect(select("insights-tenant").value).toBe("t-eu");
    choose("insights-region", "us");
    expect(select("insights-tenant").value).toBe("");
    await submit();
    expect(router.state.location.searchStr).toBe("?region=us");
  });
});
