import { Link, Navigate, useLocation } from "@tanstack/react-router";
import { type ReactNode, useEffect } from "react";
import { SCREENS, type ScreenPath, screensFor } from "../screens.js";
import { useSession } from "../session.js";

/** "/": the signed-in user's first screen, or a note when no role of theirs has one. */
export function Home() {
  const { user } = useSession();
  const home = screensFor(user.roles)[0]?.path;
  useEffect(() => {
    document.title = "Assent";
  }, []);
  if (home) return <Navigate to={home} replace />;
  return (
    <div className="card">
      <h1>No screens for your account</h1>
      <p>Your account holds no role with a screen here. Ask an operator to give you one.</p>
    </div>
  );
}

/** A screen shown only to holders of its role; it names the screen in the window's title. */
export function Guarded({ screen, children }: { readonly screen: ScreenPath; readonly children: ReactNode }) {
  const { user } = useSession();
  const info = SCREENS.find((s) => s.path === screen);
  useEffect(() => {
    document.title = info ? `${info.title} · Assent` : "Assent";
  }, [info]);
  if (!info) return null;
  if (!user.roles.includes(info.role)) {
    return (
      <div className="card">
        <h1>{info.title}</h1>
        <p role="alert">
          This screen needs the role <strong>{info.role}</strong>, which your account does not hold.
        </p>
      </div>
    );
  }
  return <>{children}</>;
}

export function NotFound() {
  const path = useLocation({ select: (l) => l.pathname });
  useEffect(() => {
    document.title = "Not found · Assent";
  }, []);
  return (
    <div className="card">
      <h1>Not found</h1>
      <p>
        There is no screen at <code>{path}</code>. <Link to="/">Go to your first screen</Link>.
      </p>
    </div>
  );
}
