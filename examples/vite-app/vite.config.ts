import { defineConfig } from 'vite';

// Relative asset URLs: the built page works from any folder (the repository's
// end-to-end test serves it under /vite-app/).
export default defineConfig({ base: './' });
