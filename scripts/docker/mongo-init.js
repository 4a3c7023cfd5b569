// Run once by the mongo image at the first start (as the root user from .env): the bot's own user, who may only
// read and write the `supervision` database. Its name and password come from MONGO_APP_USER / MONGO_APP_PASSWORD.
const user = process.env.MONGO_APP_USER || 'supervision';
const pwd = process.env.MONGO_APP_PASSWORD;
if (!pwd) throw new Error('MONGO_APP_PASSWORD is not set');
db.getSiblingDB('supervision').createUser({ user, pwd, roles: [{ role: 'readWrite', db: 'supervision' }] });
