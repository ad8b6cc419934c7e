// Shared front-end settings for every stk page (loaded by layout.html, before the page's app).

// Vuetify's own icons (sort arrows, pagination, dialogs...) drawn with Tabler classes.
const tablerAliases = {
  collapse: 'ti ti-chevron-up',
  complete: 'ti ti-check',
  cancel: 'ti ti-circle-x',
  close: 'ti ti-x',
  delete: 'ti ti-circle-x',
  clear: 'ti ti-x',
  success: 'ti ti-circle-check',
  info: 'ti ti-info-circle',
  warning: 'ti ti-alert-triangle',
  error: 'ti ti-alert-circle',
  prev: 'ti ti-chevron-left',
  next: 'ti ti-chevron-right',
  first: 'ti ti-chevrons-left',
  last: 'ti ti-chevrons-right',
  checkboxOn: 'ti ti-square-check',
  checkboxOff: 'ti ti-square',
  checkboxIndeterminate: 'ti ti-square-minus',
  delimiter: 'ti ti-circle',
  sortAsc: 'ti ti-arrow-up',
  sortDesc: 'ti ti-arrow-down',
  expand: 'ti ti-chevron-down',
  menu: 'ti ti-menu-2',
  subgroup: 'ti ti-caret-down',
  dropdown: 'ti ti-chevron-down',
  radioOn: 'ti ti-circle-dot',
  radioOff: 'ti ti-circle',
  edit: 'ti ti-pencil',
  loading: 'ti ti-refresh',
  plus: 'ti ti-plus',
  minus: 'ti ti-minus',
  calendar: 'ti ti-calendar',
  file: 'ti ti-paperclip',
};

const config = {
  // Jinja owns {{ }}: Vue interpolates ${ } instead.
  delimiters: ['${', '}'],
  vuetifyConfig: {
    icons: { aliases: tablerAliases },
    theme: { defaultTheme: 'light' },
  },
};

// What every page's app shares: the drawer, the signed-in user and the navigation.
const layoutMixin = {
  data() {
    return {
      drawer: true,
      currentUser: JSON.parse(document.querySelector('#current-user-data').textContent),
    };
  },
  computed: {
    navItems() {
      return visibleNavigation(navigation, this.currentUser.roles);
    },
  },
  methods: {
    hasRole(role) {
      return this.currentUser.roles.includes(role);
    },
    isCurrent(path) {
      return window.location.pathname === path;
    },
    logout() {
      document.querySelector('#logout-form').submit();
    },
  },
};

// Small components shared by the pages; each uses the same delimiters as the apps.
function registerStkComponents(app) {
  app.component('stk-empty-state', {
    delimiters: config.delimiters,
    props: { text: { type: String, default: 'Nothing here yet' } },
    template: '<div class="text-medium-emphasis pa-4"><i class="ti ti-mood-empty mr-2"></i>${ text }</div>',
  });
  return app;
}
