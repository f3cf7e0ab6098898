import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';

// Written by scripts/api.mjs (TypeDoc) before each build; absent until the first one.
const apiSidebarFile = fileURLToPath(new URL('../src/api/typedoc-sidebar.json', import.meta.url));
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile)
  ? (JSON.parse(readFileSync(apiSidebarFile, 'utf8')) as DefaultTheme.SidebarItem[])
  : [];

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Introduction',
    items: [
      { text: 'Getting started', link: '/guide/getting-started' },
      { text: 'Installing', link: '/guide/installing' },
      { text: 'Choosing a layer', link: '/guide/choosing-a-layer' },
      { text: 'Concepts', link: '/guide/concepts' },
    ],
  },
  {
    text: 'Running filesystems',
    items: [
      { text: 'Mount options & capabilities', link: '/guide/mount-options' },
      { text: 'Kernel passthrough', link: '/guide/passthrough' },
      { text: 'O_TMPFILE and statx', link: '/guide/tmpfile-statx' },
      { text: 'Ready-made filesystems (CLI)', link: '/guide/cli' },
      { text: 'Performance', link: '/guide/performance' },
      { text: 'FUSE over io_uring', link: '/guide/io-uring' },
      { text: 'Troubleshooting', link: '/guide/troubleshooting' },
    ],
  },
  {
    text: 'Coming from elsewhere',
    items: [
      { text: 'From fuse-native', link: '/guide/migrating-from-fuse-native' },
      { text: 'From pyfuse3 / llfuse', link: '/guide/migrating-from-pyfuse3' },
      { text: 'From fusekit 0.1 to 0.2', link: '/guide/migrating-to-0.2' },
    ],
  },
];

// "Edit this page" links on the guides, when the build is told where the repository lives (they
// point there; nothing is fetched): FUSEKIT_DOCS_REPO=https://github.com/<owner>/fusekit npm run build.
// The generated API pages have none (scripts/api.mjs marks them): their source is the packages' TSDoc.
const repo = process.env.FUSEKIT_DOCS_REPO?.replace(/\/+$/, '');
const editLink: DefaultTheme.EditLink | undefined = repo
  ? { text: 'Edit this page', pattern: `${repo}/edit/main/apps/docs/src/:path` }
  : undefined;

export default defineConfig({
  title: 'fusekit',
  description: 'Linux filesystems in TypeScript, on libfuse 3',
  lang: 'en-US',
  srcDir: 'src',
  // Everything the site needs is in the build: no fonts, scripts or styles from elsewhere.
  head: [
    ['link', { rel: 'icon', type: 'image/svg+xml', href: '/logo.svg' }],
    ['meta', { name: 'theme-color', content: '#2f7d6d' }],
  ],
  appearance: true,
  lastUpdated: false,
  markdown: { theme: { light: 'github-light', dark: 'github-dark' } },
  themeConfig: {
    logo: '/logo.svg',
    nav: [
      { text: 'Guide', link: '/guide/getting-started', activeMatch: '/guide/' },
      { text: 'API', link: '/api/', activeMatch: '/api/' },
      { text: 'CLI', link: '/guide/cli' },
    ],
    sidebar: {
      '/guide/': guide,
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar }],
    },
    search: { provider: 'local' },
    ...(editLink === undefined ? {} : { editLink }),
    outline: { level: [2, 3] },
    footer: { message: 'fusekit — MIT licensed' },
  },
});
