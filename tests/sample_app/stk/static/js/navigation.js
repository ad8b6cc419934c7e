// The sidebar. `role` (singular) hides an entry from users without that role;
// `children` nest entries under a group.
const navigation = [
  { title: 'Dashboard', icon: 'ti ti-home', to: '/' },
  { title: 'Things', icon: 'ti ti-box', to: '/things/', role: 'admin' },
  { heading: 'Administration', role: 'admin' },
  { title: 'Activity Logs', icon: 'ti ti-history', to: '/activities/', role: 'admin' },
  {
    title: 'User Management', icon: 'ti ti-users-group', role: 'admin',
    children: [
      { title: 'Users', icon: 'ti ti-users', to: '/users/' },
    ],
  },
];

// The entries `roles` may see, children filtered the same way.
function visibleNavigation(entries, roles) {
  return entries
    .filter(entry => !entry.role || roles.includes(entry.role))
    .map(entry => entry.children
      ? { ...entry, children: visibleNavigation(entry.children, roles) }
      : entry);
}
