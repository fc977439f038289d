package io.jsyd.oci.cli;

import io.jsyd.runtime.text.JsonText;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The {@code --log} file of one request, in runc's formats (logrus): a JSON object
 * per line with the keys level, msg and time, or a text line
 * {@code time="..." level=error msg="..."}. Callers such as podman read the last
 * error from it when a command fails, so the wording and keys matter.
 *
 * <p>Without {@code --log} the log is off: runc then logs to stderr, where the
 * command line already prints its own error lines.
 */
public final class RunLog {
    /** logrus's level names, as they appear in the lines. */
    public enum Level {
        DEBUG("debug"), INFO("info"), WARNING("warning"), ERROR("error");

        private final String word;

        Level(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final Optional<Path> file;
    private final LogFormat format;
    private final Clock clock;

    private RunLog(Optional<Path> file, LogFormat format, Clock clock) {
        this.file = file;
        this.format = format;
        this.clock = clock;
    }

    public static RunLog off() {
        return new RunLog(Optional.empty(), LogFormat.TEXT, Clock.systemUTC());
    }

    public static RunLog to(Path file, LogFormat format, Clock clock) {
        return new RunLog(Optional.of(file), format, clock);
    }

    public Optional<Path> file() {
        return file;
    }

    /**
     * Appends one line. The file is opened for each line (append, create, sync, as
     * runc opens it) because a command writes only a handful of lines.
     */
    public void write(Level level, String message) throws IOException {
        if (file.isEmpty()) {
            return;
        }
        String line = line(format, level, message, OffsetDateTime.now(clock)) + "\n";
        try (OutputStream out = Files.newOutputStream(file.get(), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        }
    }

    public void error(String message) throws IOException {
        write(Level.ERROR, message);
    }

    static String line(LogFormat format, Level level, String message, OffsetDateTime time) {
        String when = RFC3339.format(time.truncatedTo(ChronoUnit.SECONDS));
        return switch (format) {
            // logrus sorts the keys; Go's encoder escapes <, > and & as well.
            case JSON -> "{\"level\":" + JsonText.quote(level.word()) + ",\"msg\":" + JsonText.quote(message)
                    + ",\"time\":" + JsonText.quote(when) + "}";
            case TEXT -> "time=" + textValue(when) + " level=" + level.word() + " msg=" + textValue(message);
        };
    }

    /** logrus's text formatter quotes a value unless it is made only of these characters (or empty). */
    static String textValue(String s) {
        boolean plain = true;
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '/' || c == '@' || c == '^' || c == '+';
        }
        return plain ? s : goQuote(s);
    }

    /** Go's %q for the characters an error message can hold. */
    private static String goQuote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
