// Runs axe-core (already on the page) and keeps only what the findings need.
async (options) => {
  const slim = (results) =>
    results.map((rule) => ({
      id: rule.id,
      impact: rule.impact,
      help: rule.help,
      helpUrl: rule.helpUrl,
      tags: rule.tags,
      nodes: rule.nodes.slice(0, 50).map((node) => ({
        target: node.target.map((part) => (Array.isArray(part) ? part.join(" ") : part)),
        html: node.html.slice(0, 300),
        impact: node.impact,
        summary: (node.failureSummary || "").slice(0, 400),
      })),
    }));
  const result = await axe.run(document, options);
  return { violations: slim(result.violations), incomplete: slim(result.incomplete) };
}
