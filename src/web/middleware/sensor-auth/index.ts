export { type SensorAuthenticator, sensorAuth } from './sensor-auth.js';
