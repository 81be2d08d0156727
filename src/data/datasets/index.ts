export { type Mnist, mnist } from './mnist.js';
export * from './moby-dick.js';
export * from './spam-assassin.js';
