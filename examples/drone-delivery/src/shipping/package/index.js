// Stores package data; GET /api/packages/:id returns it.
const packages = new Map();
exports.put = (id, pkg) => packages.set(id, pkg);
exports.get = (id) => packages.get(id);
