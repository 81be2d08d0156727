export { type Mnist, mnist } from './mnist.js';
