// The jobs list: live jobs first, then the history of finished ones (kept by the host, survives reloads).

import { useEffect, useState } from "react";
import { Flex, Heading, Text } from "@adobe/react-spectrum";
import type { JobState } from "../../common/jobs";
import { JobCard, JobCardActions } from "./JobCard";
import { isActive } from "./describe";

export function JobsList({ jobs, actions }: { jobs: JobState[]; actions: JobCardActions }) {
  const [now, setNow] = useState(() => Date.now());
  const anyActive = jobs.some(isActive);
  useEffect(() => {
    if (!anyActive) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [anyActive]);
  const live = jobs.filter(isActive);
  const past = jobs.filter((j) => !isActive(j));
  return (
    <Flex direction="column" gap="size-100" data-testid="jobs">
      <Heading level={3} margin={0}>
        Jobs
      </Heading>
      {jobs.length === 0 && <Text UNSAFE_className="infill-detail">No jobs yet. Results and their history appear here.</Text>}
      {live.map((j) => (
        <JobCard key={j.jobId} job={j} now={now} actions={actions} />
      ))}
      {past.length > 0 && (
        <Heading level={4} margin={0} UNSAFE_className="infill-subhead">
          History
        </Heading>
      )}
      {past.map((j) => (
        <JobCard key={j.jobId} job={j} now={now} actions={actions} />
      ))}
    </Flex>
  );
}
