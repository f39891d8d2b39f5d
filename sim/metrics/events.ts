/**
 * Kubernetes-style events (the reasons kubectl describe shows: Scheduled, FailedScheduling,
 * SuccessfulCreate, Killing, NodeNotReady, TaintManagerEviction, ...), recorded in time order for
 * events.jsonl. simk keeps them outside the object store: nothing in the cluster reads events, and
 * storing them would only cost writes.
 */
import type { Engine } from "../engine/engine.js";
import { objectRef } from "../api/objects.js";

export interface SimEvent {
  /** Simulated seconds. */
  time: number;
  type: "Normal" | "Warning";
  reason: string;
  /** "Kind/namespace/name" or "Kind/name". */
  object: string;
  message: string;
  /** The reporting component (kube-scheduler, kubelet, replicaset-controller, ...). */
  source: string;
  /** The node, where the event concerns one. */
  node?: string;
}

export type EventListener = (event: SimEvent) => void;

/** The source of the events that timeline actions (and their failures) record. */
export const TIMELINE_SOURCE = "simk-timeline";

export class EventRecorder {
  readonly events: SimEvent[] = [];
  private readonly listeners: EventListener[] = [];
  /** When false, events are counted but not kept (large benchmark runs). */
  keep = true;
  readonly counts = new Map<string, number>();
  /** Events recorded, kept or not. */
  total = 0;

  constructor(private readonly engine: Engine) {}

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  record(
    obj: { kind: string; metadata: { namespace?: string; name: string } },
    type: SimEvent["type"],
    reason: string,
    message: string,
    source: string,
    node?: string,
  ): SimEvent {
    const event: SimEvent = {
      time: this.engine.now / 1_000_000,
      type,
      reason,
      object: objectRef(obj),
      message,
      source,
      ...(node !== undefined ? { node } : {}),
    };
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    this.total++;
    if (this.keep) this.events.push(event);
    for (const l of this.listeners) l(event);
    return event;
  }

  /** Events of one reason (tests and metrics). */
  byReason(reason: string): SimEvent[] {
    return this.events.filter((e) => e.reason === reason);
  }
}
