package io.jsyd.runtime.container;

/**
 * process.terminal: the container gets a pty of its own devpts as stdio and
 * controlling terminal; its master goes to the runtime.
 *
 * @param rows initial rows (process.consoleSize.height); 0 to leave the size to the runtime
 * @param cols initial columns (process.consoleSize.width)
 */
public record Console(int rows, int cols) {
}
