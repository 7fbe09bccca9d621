// One job: live status, elapsed time, cancel, its wait and what holds it (a pause, today's limit),
// the broker's request id of its submit (selectable, for a report); errors as a sentence with the detail one click away;
// variations with their seeds (click = make visible, More like this), keep one, re-run with the same seeds, reapply kept results.

import { useState } from "react";
import { ActionButton, Button, Flex, Heading, ProgressBar, StatusLight, Text, View } from "@adobe/react-spectrum";
import type { JobParams, JobState } from "../../common/jobs";
import { elapsed, isActive, jobTitle, statusText, statusVariant } from "./describe";
import { Variations } from "./Variations";
import { useQuota } from "../model/QuotaContext";
import { jobWaitText } from "../model/wait";
import { jobHoldText } from "./hold";

export interface JobCardActions {
  cancel: (jobId: string) => void;
  selectVariation: (jobId: string, index: number) => void;
  keepVariation: (jobId: string, index: number) => void;
  reapply: (jobId: string) => void;
  dismiss: (jobId: string) => void;
  run: (params: JobParams) => void;
  /** More like this: a similar job from placed variation `index`. */
  moreLike: (jobId: string, index: number, numVariations: number) => void;
}

export function JobCard({ job, now, actions }: { job: JobState; now: number; actions: JobCardActions }) {
  const [showDetail, setShowDetail] = useState(false);
  const quota = useQuota();
  const wait = jobWaitText(job, quota, now);
  const hold = jobHoldText(job, quota, now);
  const active = isActive(job);
  const visible = job.variations.find((v) => v.visible);
  const placed = job.phase === "done" && job.variations.some((v) => v.layerId !== undefined);
  const rerun = () => {
    const seeds = job.variations.map((v) => v.seed);
    actions.run({ ...job.params, seeds: seeds.length === job.params.numVariations ? seeds : undefined } as JobParams);
  };

  return (
    <View borderWidth="thin" borderColor="default" borderRadius="medium" padding="size-100" data-testid="job" data-phase={job.phase} data-job-id={job.jobId}>
      <Flex direction="column" gap="size-75">
        <Flex direction="row" justifyContent="space-between" alignItems="center" gap="size-100">
          <Heading level={4} margin={0} UNSAFE_className="infill-job-title">
            {jobTitle(job)}
          </Heading>
          <Text UNSAFE_className="infill-detail" aria-label="Elapsed time">
            {elapsed(job, now)}
          </Text>
        </Flex>
        <Text UNSAFE_className="infill-detail">{job.docTitle}</Text>
        {job.requestId && (
          <Text UNSAFE_className="infill-detail" UNSAFE_style={{ userSelect: "text" }} data-testid="job-request-id">
            Request id: {job.requestId}
          </Text>
        )}
        <Flex direction="row" alignItems="center" justifyContent="space-between" gap="size-100">
          <StatusLight variant={statusVariant(job)} data-testid="job-status">
            {statusText(job)}
          </StatusLight>
          {active && (
            <ActionButton onPress={() => actions.cancel(job.jobId)} data-testid="job-cancel" aria-label={`Cancel ${jobTitle(job)}`}>
              Cancel
            </ActionButton>
          )}
        </Flex>
        {wait && (
          <Text UNSAFE_className="infill-detail" data-testid="job-wait">
            {wait}
          </Text>
        )}
        {hold && (
          <Text UNSAFE_className="infill-detail" data-testid="job-hold">
            {hold}
          </Text>
        )}
        {active && <ProgressBar aria-label={statusText(job)} isIndeterminate={job.progress === undefined} value={job.progress ?? 0} width="100%" size="S" />}
        {job.detail && (
          <Text UNSAFE_className="infill-detail" data-testid="job-detail">
            {job.detail}
          </Text>
        )}
        {job.note && (
          <Text UNSAFE_className="infill-note" data-testid="job-note">
            {job.note}
          </Text>
        )}
        {job.error && (
          <View
            UNSAFE_className={job.error.category === "cancelled" ? "infill-quiet" : "infill-error"}
            padding="size-100"
            borderRadius="regular"
            data-testid="job-error"
          >
            <Text>{job.error.message}</Text>
            {job.error.detail && (
              <>
                <br />
                <ActionButton isQuiet onPress={() => setShowDetail(!showDetail)} aria-expanded={showDetail}>
                  {showDetail ? "Hide technical detail" : "Technical detail"}
                </ActionButton>
                {showDetail && (
                  <pre className="infill-pre" data-testid="job-error-detail">
                    {job.error.detail}
                  </pre>
                )}
              </>
            )}
          </View>
        )}
        {job.variations.length > 0 && job.phase !== "failed" && (
          <Variations job={job} select={(i) => actions.selectVariation(job.jobId, i)} moreLike={(i, n) => actions.moreLike(job.jobId, i, n)} />
        )}
        {placed && job.variations.length > 1 && (
          <Text UNSAFE_className="infill-detail">Click a variation to show it. All of them stay as layers in the group until you discard the rest.</Text>
        )}
        <Flex direction="row" gap="size-100" wrap>
          {placed && job.variations.length > 1 && (
            <Button
              variant="secondary"
              onPress={() => visible && actions.keepVariation(job.jobId, visible.index)}
              isDisabled={!visible}
              data-testid="job-keep-one"
            >
              {visible ? `Keep ${visible.index + 1}, discard the rest` : "Show one variation to keep it"}
            </Button>
          )}
          {job.phase === "kept" && (
            <>
              <Button variant="accent" onPress={() => actions.reapply(job.jobId)} data-testid="job-reapply">
                Place again
              </Button>
              <Button variant="secondary" onPress={() => actions.dismiss(job.jobId)} data-testid="job-dismiss">
                Dismiss
              </Button>
            </>
          )}
          {!active && job.variations.length > 0 && (
            <ActionButton onPress={rerun} data-testid="job-rerun" aria-label="Run again with the same seeds">
              Re-run (same seeds)
            </ActionButton>
          )}
        </Flex>
      </Flex>
    </View>
  );
}
