// The host controller: the panel's commands in, the document's state and the jobs' progress out.
// Browser-safe — Photoshop, UXP and the broker are injected — so the playground runs this same code
// in Chromium against its simulated host.

import type { Host, HostChange, Rect } from "../../common/host";
import type { JobParams, JobState } from "../../common/jobs";
import {
  decodeCommand,
  errorEvent,
  makeEvent,
  type ActiveDocumentView,
  type Command,
  type CommandOf,
  type ErrorEventBody,
  type EventBody,
  type EventType,
  type MessagePort,
  type Theme,
} from "../../common/protocol";
import type { BrokerClient } from "../broker-client";
import type { ResultStore } from "../store";
import * as realWorkflows from "../workflows";
import type { SettingsService } from "../settings/types";
import { describeError } from "./errors";
import { answerHostCommand, type HostCommandOptions } from "./host-commands";
import { lazyBroker } from "./lazy-broker";
import { customModelEntries, modelsError } from "./models";
import { ThumbnailCache, renderThumbnail } from "./thumbnails";
import { serializeHost } from "./serial-host";
import { QuotaPoll } from "./quota-poll";
import { similarParamsFor } from "./similar";
import { unsupportedReason } from "./support";

type RunningJob = realWorkflows.RunningJob;

/** The workflow functions the controller calls (the real ones by default; fakes in tests). */
export interface Workflows {
  startJob(params: JobParams, deps: realWorkflows.WorkflowDeps, onState: (s: JobState) => void): RunningJob;
  selectVariation(job: JobState, index: number, deps: realWorkflows.WorkflowDeps): Promise<JobState>;
  keepOnly(job: JobState, index: number, deps: realWorkflows.WorkflowDeps): Promise<JobState>;
  reapplyKept(jobId: string, deps: realWorkflows.WorkflowDeps, onState: (s: JobState) => void): Promise<JobState>;
  dismissKept(jobId: string, deps: realWorkflows.WorkflowDeps): Promise<void>;
  /** Takes up the jobs a previous session left unfinished (optional in fakes). */
  resumeJobs?(deps: realWorkflows.WorkflowDeps, onState: (s: JobState) => void): Promise<RunningJob[]>;
}

export interface ThemeSource {
  current(): Theme;
  /** Called on a theme change, if the runtime tells us; the controller also re-reads it when polling. */
  subscribe?(listener: (theme: Theme) => void): () => void;
}

export interface ControllerOptions extends HostCommandOptions {
  /** Transport to the panel (webview bridge, playground iframe, or an in-memory pair in tests). */
  port: MessagePort;
  host: Host;
  store: ResultStore;
  settings: SettingsService;
  /** A fixed client (playground, tests) or, by default, one built from the settings at each use. */
  broker?: BrokerClient;
  /** Cheap selection bounds (no pixel read, no modal scope) for the enable/disable state. */
  selectionBounds?: (docId: number) => Promise<Rect | null>;
  theme?: ThemeSource;
  info: { pluginVersion: string; hostApp: "photoshop" | "playground"; hostVersion: string };
  workflows?: Workflows;
  /** Passed to the workflows: status poll interval, overall timeout, and the (abortable) wait. */
  workflowOptions?: Pick<realWorkflows.WorkflowDeps, "pollIntervalMs" | "timeoutMs" | "sleep">;
  /** Fallback polling for document/selection/theme changes (ms; 0 = off). */
  pollMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
  now?: () => number;
  random?: () => number;
  /** Diagnostic lines: command types and error codes only, never payloads. */
  log?: (line: string) => void;
}

const MAX_LISTED_JOBS = 30;

export class HostController {
  private readonly o: ControllerOptions;
  private readonly host: Host;
  private readonly workflows: Workflows;
  private readonly deps: realWorkflows.WorkflowDeps;
  private readonly jobs = new Map<string, JobState>();
  private readonly running = new Map<string, Pick<RunningJob, "cancel" | "detach">>();
  private readonly last = new Map<string, string>(); // last sent payload per state event type
  private readonly cleanups: Array<() => void> = [];
  private pollHandle: unknown = null;
  private greeted = false;
  private refreshing: Promise<void> = Promise.resolve();
  private pendingRefresh: Promise<void> | null = null;
  private documentsDirty = true;
  private ticks = 0;
  private disposed = false;
  private readonly thumbnails: ThumbnailCache;
  private resuming: Promise<JobState[]> = Promise.resolve([]);
  private readonly quota: QuotaPoll;

  constructor(options: ControllerOptions) {
    this.o = options;
    this.host = serializeHost(options.host);
    this.workflows = options.workflows ?? realWorkflows;
    this.deps = {
      host: this.host,
      broker: options.broker ?? lazyBroker(() => options.settings.brokerClient()),
      store: options.store,
      ...options.workflowOptions,
      ...(options.now ? { now: options.now } : {}),
      ...(options.random ? { random: options.random } : {}),
    };
    this.quota = new QuotaPoll({
      broker: this.deps.broker,
      now: options.now ?? Date.now,
      send: (quota) => this.sendIfChanged("quota", { quota }),
      log: (line) => this.log(line),
    });
    this.thumbnails = new ThumbnailCache((docId, layerId) => renderThumbnail(this.host, docId, layerId));
  }

  /** Starts listening to the panel and to the host. State is pushed once the panel says hello. */
  start(): void {
    this.cleanups.push(this.o.port.onMessage((raw) => void this.receive(raw)));
    this.cleanups.push(this.host.subscribe((e) => this.onHostChange(e)));
    const themeOff = this.o.theme?.subscribe?.(() => this.pushTheme());
    if (themeOff) this.cleanups.push(themeOff);
    this.resuming = this.resumeStored();
  }

  /** Resolves with the final states of the jobs taken up from the store at start (tests, diagnostics). */
  resumed(): Promise<JobState[]> {
    return this.resuming;
  }

  /**
   * Jobs a previous session submitted but did not finish (a reload or a crash) are polled again,
   * downloaded and kept for Re-apply; those that cannot be finished end with the reason.
   */
  private async resumeStored(): Promise<JobState[]> {
    const resume = this.workflows.resumeJobs;
    if (!resume) return [];
    let jobs: RunningJob[];
    try {
      jobs = await resume(this.deps, (s) => this.onJobState(s));
    } catch (e) {
      this.log(`stored jobs not resumed: ${describeError(e).code}`);
      return [];
    }
    return Promise.all(
      jobs.map((j) => {
        this.running.set(j.jobId, j);
        return j.done
          .then((final) => {
            this.onJobState(final);
            return final;
          })
          .finally(() => {
            this.running.delete(j.jobId);
            void this.refreshState();
          });
      }),
    );
  }

  dispose(): void {
    this.disposed = true;
    this.stopPolling();
    for (const c of this.cleanups.splice(0)) c();
    // The panel is going away (closed or reloaded), not the artist cancelling: jobs are left stored so
    // the next session resumes them; only work that cannot be resumed is cancelled.
    for (const r of this.running.values()) r.detach();
  }

  /** Handles one raw message from the panel. Never throws; resolves when the command is handled. */
  async receive(raw: unknown): Promise<void> {
    const decoded = decodeCommand(raw);
    if (!decoded.ok) {
      // Someone else's message on a shared channel (browser windows): ignore rather than answer.
      if (decoded.error.code === "not_ours") return;
      this.log(`rejected ${decoded.error.code}`);
      this.o.port.post(decoded.error);
      return;
    }
    const cmd = decoded.message;
    this.log(`command ${cmd.type}`);
    try {
      await this.handle(cmd);
    } catch (e) {
      this.sendError(describeError(e), cmd.id);
    }
  }

  // ---- commands ----

  private async handle(cmd: Command): Promise<void> {
    switch (cmd.type) {
      case "hello":
        return this.onHello(cmd);
      case "job.run":
        return this.runJob(cmd.params, cmd.id);
      case "job.cancel": {
        const r = this.running.get(cmd.jobId);
        if (!r)
          return this.sendError(
            { category: "not_found", code: "unknown_job", message: "That job is not running.", hint: "It may have finished already." },
            cmd.id,
          );
        r.cancel();
        return;
      }
      case "variation.select":
      case "variation.keep": {
        const job = await this.findJob(cmd.jobId);
        if (!job) return this.unknownJob(cmd.id);
        const next =
          cmd.type === "variation.select"
            ? await this.workflows.selectVariation(job, cmd.index, this.deps)
            : await this.workflows.keepOnly(job, cmd.index, this.deps);
        this.jobs.set(next.jobId, next);
        this.send("job.state", { job: next, replyTo: cmd.id });
        return;
      }
      case "variation.similar": {
        const job = await this.findJob(cmd.jobId);
        if (!job) return this.unknownJob(cmd.id);
        const params = similarParamsFor(job, cmd.index, cmd.numVariations);
        if (!("kind" in params)) return this.sendError(params, cmd.id);
        const shown = await this.workflows.selectVariation(job, cmd.index, this.deps);
        this.jobs.set(shown.jobId, shown);
        this.send("job.state", { job: shown });
        return this.runJob(params, cmd.id);
      }
      case "kept.reapply": {
        const final = await this.workflows.reapplyKept(cmd.jobId, this.deps, (s) => this.onJobState(s));
        this.onJobState(final);
        void this.refreshState();
        return;
      }
      case "kept.dismiss":
        await this.workflows.dismissKept(cmd.jobId, this.deps);
        this.jobs.delete(cmd.jobId);
        this.send("job.removed", { jobId: cmd.jobId, replyTo: cmd.id });
        return;
      case "jobs.list":
        this.send("jobs", { jobs: await this.listJobs(), replyTo: cmd.id });
        return;
      case "documents.list":
        this.last.delete("documents");
        await this.pushDocuments(cmd.id);
        return;
      case "layers.list":
        this.send("layers", { docId: cmd.docId, layers: await this.host.layers(cmd.docId), replyTo: cmd.id });
        return;
      case "settings.get":
        this.send("settings", { settings: await this.o.settings.view(), replyTo: cmd.id });
        return;
      case "settings.set":
        this.send("settings", { settings: await this.o.settings.update(cmd.settings), replyTo: cmd.id });
        return;
      case "connection.test":
        this.send("connection.result", { result: await this.o.settings.testConnection(), replyTo: cmd.id });
        return;
      case "models.list": {
        let models;
        try {
          models = customModelEntries(await this.deps.broker.customModels());
        } catch (e) {
          return this.sendError(modelsError(describeError(e)), cmd.id);
        }
        this.send("models", { models, replyTo: cmd.id });
        return;
      }
      case "hostcheck.run":
      case "settings.pasteKey":
        return answerHostCommand(cmd, this.o, (type, body) => this.send(type, body));
      case "thumbnail.get": {
        const answer = await this.thumbnails.get(cmd.docId, cmd.layerId);
        if (!answer.ok) return this.sendError(answer.error, cmd.id);
        this.send("thumbnail", { ...answer.thumbnail, replyTo: cmd.id });
        return;
      }
    }
  }

  private async onHello(cmd: CommandOf<"hello">): Promise<void> {
    this.greeted = true;
    this.last.clear(); // a (re)loaded panel gets everything again
    this.documentsDirty = true;
    this.send("hello", { ...this.o.info, replyTo: cmd.id });
    this.pushTheme();
    this.send("settings", { settings: await this.o.settings.view() });
    await this.refreshState();
    this.send("jobs", { jobs: await this.listJobs() });
    this.startPolling();
    void this.quota.refresh();
  }

  private async runJob(params: JobParams, replyTo: string | undefined): Promise<void> {
    if (!this.o.broker) await this.o.settings.brokerClient(); // fails early with a settings error
    let accepted = false;
    const early: JobState[] = [];
    const started = this.workflows.startJob(params, this.deps, (s) => {
      if (accepted) this.onJobState(s);
      else early.push(s);
    });
    this.running.set(started.jobId, started);
    this.send("job.accepted", { jobId: started.jobId, replyTo });
    accepted = true;
    void this.quota.refresh();
    for (const s of early.splice(0)) this.onJobState(s);
    this.o.settings
      .rememberJob(params, (this.o.now ?? Date.now)())
      .then((view) => this.send("settings", { settings: view }))
      .catch((e) => this.log(`preferences not saved: ${describeError(e).code}`));
    started.done
      .then(
        (final) => this.onJobState(final),
        (e) => this.sendError(describeError(e), replyTo),
      )
      .finally(() => {
        this.running.delete(started.jobId);
        void this.refreshState();
      });
  }

  private onJobState(s: JobState): void {
    const prev = this.last.get(`job:${s.jobId}`);
    const text = JSON.stringify(s);
    this.jobs.set(s.jobId, s);
    if (prev === text) return;
    this.last.set(`job:${s.jobId}`, text);
    this.send("job.state", { job: s });
  }

  private async findJob(jobId: string): Promise<JobState | null> {
    const known = this.jobs.get(jobId);
    if (known) return known;
    const rec = await this.o.store.getJob(jobId);
    return rec ? rec.state : null;
  }

  private unknownJob(replyTo: string | undefined): void {
    this.sendError(
      { category: "not_found", code: "unknown_job", message: "Infill no longer knows that job.", hint: "Its results may have been dismissed." },
      replyTo,
    );
  }

  private async listJobs(): Promise<JobState[]> {
    const byId = new Map<string, JobState>();
    try {
      for (const r of await this.o.store.listJobs()) byId.set(r.jobId, r.state);
    } catch (e) {
      this.log(`job list unavailable: ${describeError(e).code}`);
    }
    for (const [id, s] of this.jobs) byId.set(id, s);
    return [...byId.values()].sort((a, b) => b.startedAt - a.startedAt).slice(0, MAX_LISTED_JOBS);
  }

  // ---- state pushed to the panel ----

  private onHostChange(e: HostChange): void {
    // Previews of a document that changed are dropped; the panel asks again for those it shows.
    if (e.type === "documentEdited" && this.thumbnails.invalidate(e.docId)) this.send("thumbnail.stale", { docId: e.docId });
    if (e.type === "documentsChanged" && this.thumbnails.invalidate()) this.send("thumbnail.stale", {});
    if (!this.greeted) return;
    if (e.type === "documentsChanged" || e.type === "activeDocumentChanged") this.documentsDirty = true;
    void this.refreshState();
  }

  /** Re-reads the document/selection state and sends what changed. Coalesces concurrent calls. */
  refreshState(): Promise<void> {
    if (this.pendingRefresh) return this.pendingRefresh;
    const run = this.refreshing.then(async () => {
      this.pendingRefresh = null;
      if (this.disposed) return;
      try {
        await this.pushDocumentState();
        // The open-documents list is re-read when Photoshop says it changed, and otherwise only every
        // few polls (reading every document's properties is not free).
        if (this.documentsDirty) {
          this.documentsDirty = false;
          await this.pushDocuments();
        }
        this.pushTheme();
      } catch (e) {
        this.log(`state refresh failed: ${describeError(e).code}`);
      }
    });
    this.pendingRefresh = run;
    this.refreshing = run;
    return run;
  }

  private async pushDocumentState(): Promise<void> {
    const doc = await this.host.activeDocument();
    let active: ActiveDocumentView | null = null;
    let selection: { bounds: Rect } | null = null;
    if (doc) {
      const reason = unsupportedReason(doc);
      active = {
        id: doc.id,
        title: doc.title,
        width: doc.width,
        height: doc.height,
        mode: doc.mode,
        bitDepth: doc.bitDepth,
        resolution: doc.resolution,
        supported: reason === null,
        ...(reason ? { unsupportedReason: reason } : {}),
      };
      const bounds = this.o.selectionBounds ? await this.o.selectionBounds(doc.id) : ((await this.o.host.selection(doc.id))?.bounds ?? null);
      selection = bounds ? { bounds } : null;
    }
    this.sendIfChanged("document.state", { active, selection });
  }

  private async pushDocuments(replyTo?: string): Promise<void> {
    const [docs, active] = await Promise.all([this.host.documents(), this.host.activeDocument()]);
    const documents = docs.map((d) => ({ id: d.id, title: d.title, width: d.width, height: d.height, active: d.id === active?.id }));
    if (replyTo) {
      this.last.set("documents", JSON.stringify({ documents }));
      this.send("documents", { documents, replyTo });
    } else this.sendIfChanged("documents", { documents });
  }

  private pushTheme(): void {
    if (!this.o.theme || !this.greeted) return;
    let theme: Theme;
    try {
      theme = this.o.theme.current();
    } catch {
      return;
    }
    this.sendIfChanged("theme", { theme, scheme: theme === "light" || theme === "lightest" ? "light" : "dark" });
  }

  private startPolling(): void {
    const ms = this.o.pollMs ?? 1000;
    if (this.pollHandle !== null || ms <= 0) return;
    const set = this.o.setInterval ?? ((fn: () => void, t: number) => setInterval(fn, t));
    this.pollHandle = set(() => {
      if (++this.ticks % 5 === 0) this.documentsDirty = true;
      void this.refreshState();
      this.quota.tick(this.jobs.values());
    }, ms);
  }

  private stopPolling(): void {
    if (this.pollHandle === null) return;
    const clear = this.o.clearInterval ?? ((h: unknown) => clearInterval(h as ReturnType<typeof setInterval>));
    clear(this.pollHandle);
    this.pollHandle = null;
  }

  // ---- sending ----

  private send<K extends EventType>(type: K, body: Omit<EventBody<K>, "type">): void {
    if (this.disposed) return;
    try {
      this.o.port.post(makeEvent({ type, ...body } as EventBody<K>));
    } catch (e) {
      this.log(`post failed: ${e instanceof Error ? e.name : "error"}`);
    }
  }

  private sendIfChanged<K extends EventType>(type: K, body: Omit<EventBody<K>, "type">): void {
    const text = JSON.stringify(body);
    if (this.last.get(type) === text) return;
    this.last.set(type, text);
    this.send(type, body);
  }

  private sendError(body: ErrorEventBody, replyTo?: string): void {
    this.log(`error ${body.category}/${body.code}`);
    if (this.disposed) return;
    this.o.port.post(errorEvent(body, replyTo));
  }

  private log(line: string): void {
    this.o.log?.(line);
  }
}

export function createHostController(options: ControllerOptions): HostController {
  return new HostController(options);
}
