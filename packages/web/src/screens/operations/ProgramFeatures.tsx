import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { programFeaturesApi } from "../../api/scopes.js";
import { useAction } from "../../hooks.js";
import { ErrorNote } from "../../ui/feedback.js";
import { LoadState } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";

const FEATURES_KEY = ["ops", "program-features"] as const;

/**
 * The program's AI features: those of the configuration (fixed here) and those declared through
 * the management API or this form, each with the description tenant admins read under the switch.
 */
export function ProgramFeatures() {
  const features = useQuery({ queryKey: FEATURES_KEY, queryFn: programFeaturesApi.list });
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const declare = useAction(programFeaturesApi.declare, { invalidates: [FEATURES_KEY] });
  const retire = useAction(programFeaturesApi.retire, { invalidates: [FEATURES_KEY] });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await declare.run(id.trim(), name.trim(), description.trim())) {
      setId("");
      setName("");
      setDescription("");
    }
  };

  return (
    <Section title="Program features">
      <p className="muted">
        Tenant admins see these under their sharing switch. A tenant sharing every feature also shares one
        declared later; a tenant that chose features does not, until its admin adds it. Features of the
        configuration win over these and are changed there.
      </p>
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="feature-id">Id</label>
        <input
          id="feature-id"
          required
          maxLength={128}
          // The browser reads it with the v flag: "/" and "-" escaped inside the class.
          pattern={"[A-Za-z0-9][A-Za-z0-9._\\/\\-]*"}
          value={id}
          onChange={(e) => setId(e.target.value)}
          placeholder="e.g. sales-copilot"
        />
        <label htmlFor="feature-name">Name</label>
        <input
          id="feature-name"
          required
          maxLength={200}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <label htmlFor="feature-description">Description</label>
        <input
          id="feature-description"
          maxLength={2000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <button type="submit" className="primary" disabled={declare.busy || !id.trim() || !name.trim()}>
          Declare or update
        </button>
      </form>
      <ErrorNote error={declare.error ?? retire.error} />
      <LoadState
        loaded={features}
        what="program features"
        isEmpty={features.data?.items.length === 0}
        empty="The program declares no features: tenants share all or nothing."
      />
      <ul className="key-list" data-testid="program-features">
        {features.data?.items.map((f) => (
          <li key={f.id} data-testid="program-feature">
            <strong>{f.name}</strong> <code className="small">{f.id}</code>{" "}
            <span className="muted small">
              {f.source === "api" ? "declared through the API" : "configuration"}
            </span>
            {f.description ? <span className="muted small block">{f.description}</span> : null}
            {f.source === "api" ? (
              <button type="button" disabled={retire.busy} onClick={() => void retire.run(f.id)}>
                Retire
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}
