import { useEffect } from "react";
import { Link, navigate } from "../router.js";
import { screenOf, screensFor } from "../screens.js";
import { useSession } from "../session.js";
import { AdminCenter } from "./admin/AdminCenter.js";
import { Approvals } from "./approvals/Approvals.js";
import { Operations } from "./operations/Operations.js";
import { InteractionPage } from "./review/InteractionPage.js";
import { Workbench } from "./review/Workbench.js";

/** Which screen a path shows, for the signed-in user's roles. */
export function Routes({ path }: { readonly path: string }) {
  const { user } = useSession();
  const mine = screensFor(user.roles);
  const home = mine[0]?.path ?? null;

  useEffect(() => {
    if (path === "/" && home) navigate(home, { replace: true });
  }, [path, home]);

  useEffect(() => {
    const screen = screenOf(path);
    document.title = screen ? `${screen.title} · Assent` : "Assent";
  }, [path]);

  if (path === "/") {
    return home ? null : (
      <div className="card">
        <h1>No screens for your account</h1>
        <p>Your account holds no role with a screen here. Ask an operator to give you one.</p>
      </div>
    );
  }
  const screen = screenOf(path);
  if (!screen) {
    return (
      <div className="card">
        <h1>Not found</h1>
        <p>
          There is no screen at <code>{path}</code>. <Link to="/">Go to your first screen</Link>.
        </p>
      </div>
    );
  }
  if (!mine.includes(screen)) {
    return (
      <div className="card">
        <h1>{screen.title}</h1>
        <p role="alert">
          This screen needs the role <strong>{screen.role}</strong>, which your account does not hold.
        </p>
      </div>
    );
  }
  const [, , rest, id] = path.split("/");
  switch (screen.path) {
    case "/admin":
      return <AdminCenter />;
    case "/review":
      return rest === "interactions" && id ? <InteractionPage id={decodeURIComponent(id)} /> : <Workbench />;
    case "/approvals":
      return <Approvals />;
    default:
      return <Operations tab={rest ?? "tenants"} />;
  }
}
