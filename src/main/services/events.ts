import type { HostEventName, HostEvents } from '../../shared/contract';

export type HostEventListener = <K extends HostEventName>(event: K, payload: HostEvents[K]) => void;

/** Fans host events out to every transport (Electron windows, bridge SSE clients). */
export interface EventHub {
  emit<K extends HostEventName>(event: K, payload: HostEvents[K]): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: HostEventListener): () => void;
}

export function createEventHub(): EventHub {
  const listeners = new Set<HostEventListener>();
  return {
    emit(event, payload) {
      for (const l of listeners) l(event, payload);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
