import { closeAllAfterEach } from './cleanup.js';

closeAllAfterEach();
