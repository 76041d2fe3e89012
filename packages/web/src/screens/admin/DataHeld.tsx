import { useQuery } from "@tanstack/react-query";
import { workQueries } from "../../api/work-queries.js";
import { DataTable } from "../../ui/DataTable.js";
import { num, Time } from "../../ui/format.js";
import { LoadState } from "../../ui/Loaded.js";
import { Section } from "../../ui/Section.js";

/** How much of the tenant's shared data is held now: per feature and day, and the oldest item. */
export function DataHeld() {
  const held = useQuery(workQueries.dataHeld());
  const h = held.data;
  return (
    <Section title="Data held now">
      <LoadState loaded={held} what="what is held" />
      {h ? (
        <>
          <p data-testid="data-held-total">
            <strong>{num(h.interactions)}</strong> interactions and {num(h.labels)} review labels are held in
            region <strong>{h.region}</strong>.{" "}
            {h.oldest ? (
              <>
                The oldest occurred <Time iso={h.oldest} withRelative />.
              </>
            ) : (
              "Nothing is held."
            )}
          </p>
          {h.features.length ? (
            <DataTable
              testId="data-held"
              caption="Interactions held per feature and UTC day"
              columns={["Feature", { label: "Interactions", num: true }, "Days (UTC): interactions"]}
            >
              {h.features.map((f) => (
                <tr key={f.feature}>
                  <td>{f.feature}</td>
                  <td className="num">{num(f.interactions)}</td>
                  <td className="small">
                    {f.days.map((d) => `${d.day}: ${num(d.interactions)}`).join(" · ")}
                  </td>
                </tr>
              ))}
            </DataTable>
          ) : null}
        </>
      ) : null}
    </Section>
  );
}
