package io.jsyd.runtime.policy;

/**
 * Where a policy line came from: a file path or a description of an annotation,
 * and the 1-based line number in it. Decisions carry it so a log line can say
 * which rule decided.
 */
public record Origin(String source, int line) {
    public Origin {
        if (source == null || source.isEmpty()) {
            throw new IllegalArgumentException("an origin needs a source");
        }
        if (line < 1) {
            throw new IllegalArgumentException("line numbers start at 1: " + line);
        }
    }

    /** {@code SOURCE:LINE}, the form compilers use, so editors can jump to it. */
    public String format() {
        return source + ":" + line;
    }

    @Override
    public String toString() {
        return format();
    }
}
