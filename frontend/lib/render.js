// The HTML of each page type, following the CMS's own templates (pages/templates/pages/) so
// headings, landmarks and URLs match the server-rendered site.
import { escape, scriptJson, slugify } from "./html.js";

const SIZES = "(min-width: 60rem) 60rem, 100vw";
const HOME_ARTICLES = 3; // the CMS home page shows the three latest articles

export function frontUrl(settings, path) {
  return settings.frontendUrl + path;
}

/** A CMS URL on the CMS's own origin becomes the same path on the front end. */
function onFrontEnd(settings, url) {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    if (settings.cmsOrigins.has(parsed.origin)) return settings.frontendUrl + parsed.pathname + parsed.search;
  } catch {
    return url;
  }
  return url;
}

function altOf(image) {
  return image.decorative ? "" : image.alt || "";
}

/** <picture> with a width-described srcset from the API's width renditions. */
export function picture(image, { className = "", eager = false, alt } = {}) {
  if (!image || !image.renditions) return "";
  const widths = ["medium", "large"].map((name) => image.renditions[name]).filter(Boolean);
  if (!widths.length) return "";
  const fallback = widths[0];
  const srcset = widths.map((r) => `${escape(r.url)} ${r.width}w`).join(", ");
  const loading = eager ? ' fetchpriority="high"' : ' loading="lazy" decoding="async"';
  const cls = className ? ` class="${className}"` : "";
  return `<picture><source srcset="${srcset}" sizes="${SIZES}"><img${cls} src="${escape(fallback.url)}" width="${fallback.width}" height="${fallback.height}" alt="${escape(alt ?? altOf(image))}"${loading}></picture>`;
}

function viewCount(settings, page) {
  if (typeof page.view_count !== "number") return "";
  const n = page.view_count;
  // Posted by the reader's browser: CMS_PUBLIC_API_URL when the builder reads the API at an
  // address readers cannot reach.
  const beacon = `${settings.publicApiUrl}/api/v2/pages/${page.id}/view/`;
  return `<span class="view-count" data-views="${n}" data-beacon="${escape(beacon)}">${n.toLocaleString("en-GB")} view${n === 1 ? "" : "s"}</span>`;
}

function formatDate(iso) {
  const date = new Date(`${iso}T00:00:00Z`);
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

function block(ctx, item) {
  const { value } = item;
  switch (item.type) {
    case "heading": {
      const level = /^[2-6]$/.test(String(value.level)) ? value.level : 2;
      return `<h${level} id="${slugify(value.text)}">${escape(value.text)}</h${level}>`;
    }
    case "paragraph":
      return `<div class="rich-text">${ctx.richText(value)}</div>`;
    case "image":
      if (!value || !value.renditions) return "";
      return `<figure class="body-image">${picture(value)}${value.caption ? `<figcaption>${escape(value.caption)}</figcaption>` : ""}</figure>`;
    case "quote":
      return `<figure class="quote"><blockquote><p>${escape(value.quote)}</p></blockquote>${value.attribution ? `<figcaption>— ${escape(value.attribution)}</figcaption>` : ""}</figure>`;
    case "faq":
      return `<div class="faq">${(value.items || [])
        .map((q) => `<details><summary>${escape(q.question)}</summary><div class="rich-text">${ctx.richText(q.answer)}</div></details>`)
        .join("")}</div>`;
    case "call_to_action":
      return callToAction(ctx, value);
    default:
      return "";
  }
}

function callToAction(ctx, cta) {
  if (!cta || !cta.text) return "";
  let href = cta.url || "";
  if (cta.page && cta.page.meta && cta.page.meta.html_url) {
    href = ctx.resolve(cta.page.meta.html_url);
  } else if (href) {
    href = ctx.resolve(escape(href));
  }
  const button = href && cta.button_label ? `<p><a class="button" href="${href}">${escape(cta.button_label)}</a></p>` : "";
  return `<aside class="cta" aria-label="Call to action"><p>${escape(cta.text)}</p>${button}</aside>`;
}

function body(ctx, page) {
  return (page.body || []).map((item) => block(ctx, item)).join("\n");
}

function hero(page) {
  const image = page.hero_image;
  if (!image) return "";
  return `<figure class="hero">${picture(image, { className: "hero-image", eager: true })}</figure>`;
}

function serviceCard(ctx, service, heading) {
  const image = service.hero_image ? service.hero_image.renditions?.thumbnail : null;
  const img = image
    ? `<img class="card-image" src="${escape(image.url)}" width="${image.width}" height="${image.height}" alt="" loading="lazy" decoding="async">`
    : '<div class="card-placeholder"></div>';
  const href = ctx.resolve(service.meta.html_url);
  const meta = service.session_length ? `<p class="card-meta">Sessions: ${escape(service.session_length)}</p>` : "";
  return `<li class="service-card">${img}<div class="card-body"><${heading} class="card-title"><a href="${href}">${escape(service.title)}</a></${heading}><div class="card-summary">${ctx.richText(service.introduction)}</div>${meta}</div></li>`;
}

function articleCard(ctx, article, heading) {
  const href = ctx.resolve(article.meta.html_url);
  return `<article class="card"><${heading} class="card-title"><a href="${href}">${escape(article.title)}</a></${heading}><p class="card-meta"><time datetime="${escape(article.date)}">${formatDate(article.date)}</time> · ${escape(article.author)}</p><div class="card-summary">${ctx.richText(article.introduction)}</div></article>`;
}

function byDateDesc(a, b) {
  return a.date === b.date ? b.id - a.id : a.date < b.date ? 1 : -1;
}

function intro(ctx, page) {
  return page.introduction ? `<div class="intro">${ctx.richText(page.introduction)}</div>` : "";
}

const CONTENT = {
  "pages.HomePage"(ctx, page) {
    const services = ctx.site.cards.services;
    const articles = [...ctx.site.cards.articles].sort(byDateDesc).slice(0, HOME_ARTICLES);
    return `<section class="home-hero"><div class="home-hero-text"><h1>${escape(page.title)}</h1>${intro(ctx, page)}<p class="hero-actions"><a class="button button-large" href="#book">Book an appointment</a>${services.length ? '<a class="button button-large button-quiet" href="#services-heading">See our services</a>' : ""}</p></div>${hero(page)}</section>
<div class="body">${body(ctx, page)}</div>
${services.length ? `<section aria-labelledby="services-heading"><h2 id="services-heading">Our services</h2><ul class="card-grid service-list">${services.map((s) => serviceCard(ctx, s, "h3")).join("")}</ul></section>` : ""}
${articles.length ? `<section aria-labelledby="articles-heading"><h2 id="articles-heading">Latest articles</h2>${articles.map((a) => articleCard(ctx, a, "h3")).join("")}</section>` : ""}`;
  },
  "pages.ServiceIndexPage"(ctx, page) {
    const services = ctx.site.cards.services.filter((s) => ctx.parentIdOf(s.id) === page.id);
    return `<h1>${escape(page.title)}</h1>${intro(ctx, page)}${services.length ? `<ul class="card-grid">${services.map((s) => serviceCard(ctx, s, "h2")).join("")}</ul>` : ""}`;
  },
  "pages.ArticleIndexPage"(ctx, page) {
    const articles = ctx.site.cards.articles.filter((a) => ctx.parentIdOf(a.id) === page.id).sort(byDateDesc);
    return `<h1>${escape(page.title)}</h1>${intro(ctx, page)}${articles.map((a) => articleCard(ctx, a, "h2")).join("")}`;
  },
  "pages.ServicePage"(ctx, page) {
    const session = page.session_length ? `<span class="session-length">Sessions last ${escape(page.session_length)}</span> · ` : "";
    const helps = (page.who_it_helps || []).length
      ? `<section class="who-it-helps" aria-labelledby="who-it-helps"><h2 id="who-it-helps">Who it helps</h2><ul>${page.who_it_helps.map((w) => `<li>${escape(w)}</li>`).join("")}</ul></section>`
      : "";
    return `<article><div class="page-header"><h1>${escape(page.title)}</h1>${intro(ctx, page)}<p class="page-meta">${session}${viewCount(ctx.settings, page)}</p></div>${hero(page)}${helps}<div class="body">${body(ctx, page)}</div>${callToAction(ctx, page.call_to_action)}</article>`;
  },
  "pages.ArticlePage"(ctx, page) {
    const tags = (page.tags || []).length
      ? `<div class="tags"><h2 class="visually-hidden" id="tags-heading">Tags</h2><ul class="tag-list" aria-labelledby="tags-heading">${page.tags.map((t) => `<li class="tag">${escape(t)}</li>`).join("")}</ul></div>`
      : "";
    return `<article><div class="page-header"><h1>${escape(page.title)}</h1><p class="page-meta">By ${escape(page.author)} · <time datetime="${escape(page.date)}">${formatDate(page.date)}</time> · ${viewCount(ctx.settings, page)}</p>${intro(ctx, page)}</div>${hero(page)}<div class="body">${body(ctx, page)}</div>${tags}</article>`;
  },
};

function genericContent(ctx, page) {
  return `<h1>${escape(page.title)}</h1>${intro(ctx, page)}<div class="body">${body(ctx, page)}</div>`;
}

function jsonLd(ctx, page, canonical, imageUrl) {
  const { settings } = ctx;
  const type = page.meta.type;
  const kind = type === "pages.ArticlePage" ? "Article" : type === "pages.ServicePage" ? "MedicalWebPage" : "WebPage";
  const node = {
    "@type": kind,
    "@id": `${canonical}#page`,
    url: canonical,
    name: page.title,
    headline: page.title.slice(0, 110),
    description: page.seo?.description || "",
    inLanguage: ctx.site.language,
  };
  if (imageUrl) node.image = imageUrl;
  if (page.meta.last_published_at) node.dateModified = page.meta.last_published_at;
  if (kind === "Article") {
    node.author = { "@type": "Person", name: page.author };
    node.datePublished = page.date;
    node.mainEntityOfPage = canonical;
  } else {
    node.breadcrumb = { "@id": `${canonical}#breadcrumbs` };
  }
  if (kind === "MedicalWebPage") node.about = { "@type": "MedicalTherapy", name: page.title };
  if (typeof page.view_count === "number") {
    node.interactionStatistic = { "@type": "InteractionCounter", interactionType: "https://schema.org/ReadAction", userInteractionCount: page.view_count };
  }
  const breadcrumbs = {
    "@type": "BreadcrumbList",
    "@id": `${canonical}#breadcrumbs`,
    itemListElement: (page.breadcrumbs || []).map((crumb, i) => ({
      "@type": "ListItem",
      position: i + 1,
      name: crumb.title,
      item: onFrontEnd(settings, crumb.meta.html_url),
    })),
  };
  return { "@context": "https://schema.org", "@graph": [node, breadcrumbs] };
}

function breadcrumbsNav(ctx, page) {
  const crumbs = page.breadcrumbs || [];
  if (crumbs.length < 2) return "";
  const items = crumbs.map((crumb, i) => {
    const label = i === 0 ? "Home" : escape(crumb.title);
    return i === crumbs.length - 1 ? `<li><span aria-current="page">${label}</span></li>` : `<li><a href="${ctx.resolve(crumb.meta.html_url)}">${label}</a></li>`;
  });
  return `<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>${items.join("")}</ol></nav>`;
}

export function renderPage(ctx, page) {
  const { settings, site } = ctx;
  const seo = page.seo || {};
  const title = seo.title || page.title;
  const description = seo.description || "";
  // An editor's canonical URL elsewhere is kept; the CMS's own address becomes the front end's.
  const canonical = onFrontEnd(settings, seo.canonical_url || page.meta.html_url);
  const shareImage = seo.image?.renditions?.large || null;
  const ogImage = shareImage ? `<meta property="og:image" content="${escape(shareImage.url)}">\n<meta property="og:image:width" content="${shareImage.width}">\n<meta property="og:image:height" content="${shareImage.height}">\n` : "";
  const typeClass = page.meta.type.split(".").pop().replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
  const content = (CONTENT[page.meta.type] || genericContent)(ctx, page);
  const nav = site.nav.map((item) => `<li><a href="${escape(item.path)}"${item.id === page.id ? ' aria-current="page"' : ""}>${escape(item.title)}</a></li>`).join("");
  return `<!DOCTYPE html>
<html lang="${escape(site.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<meta name="description" content="${escape(description)}">
<meta name="cms-page-id" content="${page.id}">
<link rel="canonical" href="${escape(canonical)}">
<meta property="og:type" content="${page.meta.type === "pages.ArticlePage" ? "article" : "website"}">
<meta property="og:site_name" content="${escape(site.name)}">
<meta property="og:title" content="${escape(title)}">
<meta property="og:description" content="${escape(description)}">
<meta property="og:url" content="${escape(canonical)}">
${ogImage}<meta name="twitter:card" content="${shareImage ? "summary_large_image" : "summary"}">
<script type="application/ld+json">${scriptJson(jsonLd(ctx, page, canonical, shareImage?.url))}</script>
<meta name="theme-color" content="#07494c">
<link rel="icon" href="/favicon.ico" sizes="32x32">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/site.css">
<script src="/assets/views.js" defer></script>
</head>
<body class="${typeClass}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><div class="wrap header-inner"><a class="brand" href="/">${escape(site.name)}</a><nav class="main-nav" aria-label="Main"><ul>${nav}</ul></nav><a class="button header-book" href="#book">Book an appointment</a></div></header>
${breadcrumbsNav(ctx, page)}
<main id="main">
${content}
</main>
<section class="booking" id="book" aria-labelledby="book-heading"><div class="wrap"><h2 id="book-heading">Book an appointment</h2><p>Call us or send an e-mail and we will find a time that suits you.</p></div></section>
<footer class="site-footer" id="contact"><div class="wrap"><p class="footer-heading">${escape(site.name)}</p></div></footer>
</body>
</html>
`;
}
