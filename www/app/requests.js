// The "Local only" badge: counts requests this page made to any other origin (resource timing)
// and requests the Content Security Policy blocked. Both stay 0 by construction.

/** Calls `onCount(n)` whenever the count of other-origin or blocked requests changes. */
export function watchRequests(onCount) {
  let n = 0;
  const bump = () => onCount(++n);
  const check = (entries) => {
    for (const e of entries) if (new URL(e.name, location.href).origin !== location.origin && !e.name.startsWith('blob:') && !e.name.startsWith('data:')) bump();
  };
  check(performance.getEntriesByType('resource'));
  new PerformanceObserver((list) => check(list.getEntries())).observe({ type: 'resource' });
  document.addEventListener('securitypolicyviolation', bump);
}
