export const data = {
  pagination: { data: "build.rendered", size: 1, alias: "entry" },
  permalink: (data) => `${data.entry.path}index.html`,
  eleventyExcludeFromCollections: true,
};

export function render(data) {
  return data.entry.html;
}
