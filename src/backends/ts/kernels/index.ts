import './binary.js';
import './reduce.js';
import './transpose.js';
import './unary.js';
import './matmul.js';
