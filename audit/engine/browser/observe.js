// Added to every page before its own scripts: records the lab metrics as the page loads.
// CLS is the largest session window of layout shifts (gaps under 1 s, windows up to 5 s),
// as Lighthouse and the Chrome UX Report compute it.
(() => {
  const lab = { lcp: null, cls: 0, longTasks: [], readsScheme: false };
  let windowValue = 0;
  let windowStart = 0;
  let lastShift = 0;
  Object.defineProperty(window, "__auditLab", { value: lab, enumerable: false });
  // A page that themes by script asks matchMedia for the colour scheme: it has dark styles
  // even with no media query in its CSS.
  const matchMedia = window.matchMedia;
  if (matchMedia) {
    window.matchMedia = function (query) {
      if (/prefers-color-scheme/i.test(String(query))) lab.readsScheme = true;
      return matchMedia.call(this, query);
    };
  }
  const observe = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(onEntry)).observe({
        type,
        buffered: true,
      });
    } catch (error) {
      // an entry type this browser does not support: that metric stays empty
    }
  };
  observe("largest-contentful-paint", (entry) => {
    lab.lcp = entry.renderTime || entry.loadTime || entry.startTime;
  });
  observe("layout-shift", (entry) => {
    if (entry.hadRecentInput) return;
    const t = entry.startTime;
    if (windowValue && (t - lastShift > 1000 || t - windowStart > 5000)) windowValue = 0;
    if (!windowValue) windowStart = t;
    windowValue += entry.value;
    lastShift = t;
    lab.cls = Math.max(lab.cls, windowValue);
  });
  observe("longtask", (entry) => {
    lab.longTasks.push([entry.startTime, entry.duration]);
  });
})();
