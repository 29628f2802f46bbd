const colors = require('tailwindcss/colors');

// Tremor 3's theme tokens, with the NHS blue as the brand colour.
/** @type {import('tailwindcss').Config} */
module.exports = {
  content: [
    `${__dirname}/index.html`,
    `${__dirname}/src/**/*.{ts,tsx}`,
    `${__dirname}/../node_modules/@tremor/**/*.{js,ts,jsx,tsx}`,
  ],
  theme: {
    transparent: 'transparent',
    current: 'currentColor',
    extend: {
      colors: {
        nhs: { blue: '#005eb8', dark: '#003087', grey: '#425563', pale: '#e8edee', yellow: '#ffeb3b' },
        tremor: {
          brand: {
            faint: '#eff6ff',
            muted: '#bfdbfe',
            subtle: '#60a5fa',
            DEFAULT: '#005eb8',
            emphasis: '#003087',
            inverted: colors.white,
          },
          background: {
            muted: colors.gray[50],
            subtle: colors.gray[100],
            DEFAULT: colors.white,
            emphasis: colors.gray[700],
          },
          border: { DEFAULT: colors.gray[300] },
          ring: { DEFAULT: colors.gray[300] },
          content: {
            subtle: colors.gray[600],
            DEFAULT: colors.gray[700],
            emphasis: colors.gray[800],
            strong: colors.gray[900],
            inverted: colors.white,
          },
        },
      },
      boxShadow: {
        'tremor-input': '0 1px 2px 0 rgb(0 0 0 / 0.05)',
        'tremor-card': '0 1px 3px 0 rgb(0 0 0 / 0.1), 0 1px 2px -1px rgb(0 0 0 / 0.1)',
        'tremor-dropdown': '0 4px 6px -1px rgb(0 0 0 / 0.1), 0 2px 4px -2px rgb(0 0 0 / 0.1)',
      },
      borderRadius: { 'tremor-small': '0.375rem', 'tremor-default': '0.5rem', 'tremor-full': '9999px' },
      fontSize: {
        'tremor-label': ['0.75rem', { lineHeight: '1rem' }],
        'tremor-default': ['0.875rem', { lineHeight: '1.25rem' }],
        'tremor-title': ['1.125rem', { lineHeight: '1.75rem' }],
        'tremor-metric': ['1.875rem', { lineHeight: '2.25rem' }],
      },
    },
  },
  safelist: [
    {
      pattern:
        /^(bg|text|border|ring|stroke|fill)-(blue|sky|cyan|teal|emerald|amber|orange|rose|violet|slate|gray)-(200|400|500|600|700)$/,
      variants: ['hover', 'ui-selected'],
    },
  ],
  plugins: [],
};
