// @vitest-environment happy-dom
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
import { parseSearch, QUEUE_FILTERS, stringifySearch, validateFilters } from "../search.js";
import { FilterBar, FilterInput, useFilters } from "./Filters.js";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** The review queue's filters, on a route (the app's path, so the registered types hold) whose search the app's own helpers validate. */
function makeRouter(initial: string) {
  const root = createRootRoute({ component: Outlet });
  const queue = createRoute({
    getParentRoute: () => root,
    path: "/review",
    validateSearch: validateFilters(QUEUE_FILTERS),
    component: function Queue() {
      const search = useSearch({ from: "/review" });
      const navigate = useNavigate({ from: "/review" });
      const { filters, apply, field } = useFilters("queue", QUEUE_FILTERS, search, (next) => {
        void navigate({ search: next });
      });
      return (
        <>
          <FilterBar label="Filter" onSubmit={apply}>
            <FilterInput label="Feature" {...field("feature")} />
            <FilterInput label="Per page" {...field("limit")} />
          </FilterBar>
          <output data-testid="applied">{JSON.stringify(filters)}</output>
        </>
      );
    },
  });
  return createRouter({
    routeTree: root.addChildren([queue]),
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
  const router = makeRouter(initial);
  const host = document.createElement("div");
  document.body.append(host);
  reactRoot = createRoot(host);
  await act(async () => {
    reactRoot?.render(<RouterProvider router={router} />);
    await router.load();
  });
  const input = (id: string) => host.querySelector(`#${id}`) as HTMLInputElement;
  const applied = () => JSON.parse(host.querySelector('[data-testid="applied"]')?.textContent ?? "{}");
  return { router, host, input, applied };
}

/** Types into a controlled input the way a person would (React listens for "input"). */
function type(input: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
  act(() => {
    setter?.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

describe("filters ↔ URL", () => {
  it("fills the form from the URL it was opened with", async () => {
    const { input, applied } = await mount("/review?feature=sales.draft&limit=50&bogus=1");
    expect(input("queue-feature").value).toBe("sales.draft");
    expect(input("queue-limit").value).toBe("50");
    expect(applied()).toMatchObject({ feature: "sales.draft", limit: "50", tenant: "" });
  });

  it("writes applied filters to the URL (defaults left out), not while typing", async () => {
    const { router, host, input, applied } = await mount("/review");
    type(input("queue-feature"), " support.reply ");
    expect(router.state.location.searchStr).toBe("");
    await act(async () => {
      (host.querySelector("form") as HTMLFormElement).requestSubmit();
    });
    expect(router.state.location.searchStr).toBe("?feature=support.reply");
    expect(applied().feature).toBe("support.reply");
  });

  it("shows the URL's filters again after Back", async () => {
    const { router, input } = await mount("/review?feature=a");
    await act(async () => {
      await router.navigate({ to: "/review", search: { feature: "b" } });
    });
    expect(input("queue-feature").value).toBe("b");
    await act(async () => {
      router.history.back();
      await router.load();
    });
    expect(input("queue-feature").value).toBe("a");
  });
});
