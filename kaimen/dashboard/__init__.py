"""The leader dashboard (驾驶舱): one screen over the panels the apps register
(``kaimen.lib.contracts.dashboard``)."""
