package io.jsyd.oci.spec;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;

/**
 * Says in plain words what is wrong with text that is not JSON. Jackson's parser
 * messages are precise but written for Java developers (character codes, token
 * class names, feature flags, source excerpts); users get the substance only.
 */
final class JsonSyntax {
    private static final Pattern UNEXPECTED_CHAR =
            Pattern.compile("Unexpected character \\((.+?) \\(code \\d+\\)\\):? ?(.*)", Pattern.DOTALL);
    private static final Pattern UNEXPECTED_CONTROL =
            Pattern.compile("Unexpected character \\(\\(CTRL-CHAR, code (\\d+)\\)\\).*", Pattern.DOTALL);
    private static final Pattern UNRECOGNIZED_TOKEN =
            Pattern.compile("Unrecognized token '(.*?)': was expecting.*", Pattern.DOTALL);
    private static final Pattern END_OF_INPUT =
            Pattern.compile("Unexpected end-of-input(?:: expected close marker for (Object|Array))?.*", Pattern.DOTALL);
    private static final Pattern ESCAPE =
            Pattern.compile("Unrecognized character escape (.+?) \\(code \\d+\\).*", Pattern.DOTALL);
    private static final Pattern CONTROL =
            Pattern.compile("Illegal unquoted character \\(\\(CTRL-CHAR, code (\\d+)\\)\\).*", Pattern.DOTALL);
    private static final Pattern CODE = Pattern.compile(" \\(code \\d+\\)");
    private static final Pattern SOURCE = Pattern.compile("\\s*(\\(start marker )?at \\[Source.*", Pattern.DOTALL);

    private JsonSyntax() {
    }

    /** "malformed JSON at line L, column C: what", without the position when the parser has none. */
    static String describe(JacksonException e) {
        TokenStreamLocation at = e.getLocation();
        String where = at != null && at.getLineNr() > 0
                ? " at line " + at.getLineNr() + ", column " + at.getColumnNr()
                : "";
        return "malformed JSON" + where + ": " + what(e.getOriginalMessage());
    }

    static String what(String message) {
        if (message == null || message.isBlank()) {
            return "not valid JSON";
        }
        Matcher m;
        if ((m = UNEXPECTED_CONTROL.matcher(message)).matches()) {
            return "unexpected control character (code " + m.group(1) + ")";
        }
        if ((m = UNEXPECTED_CHAR.matcher(message)).matches()) {
            return "unexpected character " + m.group(1) + expecting(m.group(2));
        }
        if ((m = UNRECOGNIZED_TOKEN.matcher(message)).matches()) {
            return "unexpected word '" + m.group(1) + "', expected a value (string, number, object, array,"
                    + " true, false or null)";
        }
        if ((m = END_OF_INPUT.matcher(message)).matches()) {
            return m.group(1) == null
                    ? "the file ends in the middle of the document"
                    : "the file ends before the " + m.group(1).toLowerCase(Locale.ROOT) + " is closed";
        }
        if ((m = ESCAPE.matcher(message)).matches()) {
            return "invalid escape \\" + m.group(1).replace("'", "") + " in a string";
        }
        if ((m = CONTROL.matcher(message)).matches()) {
            return "control character " + m.group(1) + " inside a string must be escaped";
        }
        if (message.startsWith("Trailing token")) {
            return "more content after the end of the JSON document";
        }
        if (isTooDeep(message)) {
            return "nested too deeply";
        }
        if (message.startsWith("Invalid numeric value") || message.startsWith("Number value length")) {
            return "invalid number" + after(message, ':');
        }
        String cleaned = SOURCE.matcher(CODE.matcher(message).replaceAll("")).replaceAll("").strip();
        // Whatever is left must not leak implementation names into a user's terminal.
        if (cleaned.contains("`") || cleaned.contains("jackson") || cleaned.contains("Jackson")) {
            return "not valid JSON";
        }
        return lowerFirst(cleaned);
    }

    /** Depth limit hits are reported at the document, not at a path a thousand levels long. */
    static boolean isTooDeep(String message) {
        return message != null && message.contains("nesting depth");
    }

    private static String expecting(String rest) {
        String r = rest.strip();
        if (r.isEmpty()) {
            return "";
        }
        if (r.startsWith("expected a valid value") || r.startsWith("expected a value")) {
            return ", expected a value (string, number, object, array, true, false or null)";
        }
        if (r.contains("colon to separate")) {
            return ", expected ':' after the property name";
        }
        if (r.contains("double-quote to start") || r.contains("double-quote to start field name")) {
            return ", expected a property name in double quotes";
        }
        if (r.contains("comma to separate Object entries")) {
            return ", expected ',' or '}'";
        }
        if (r.contains("comma to separate Array entries")) {
            return ", expected ',' or ']'";
        }
        String cleaned = SOURCE.matcher(CODE.matcher(r).replaceAll("")).replaceAll("").strip();
        return cleaned.contains("`") ? "" : ", " + lowerFirst(cleaned.replaceFirst("^was expecting", "expected"));
    }

    private static String after(String message, char separator) {
        int i = message.indexOf(separator);
        if (i < 0) {
            return "";
        }
        String rest = SOURCE.matcher(message.substring(i + 1)).replaceAll("").strip();
        return rest.isEmpty() || rest.contains("`") ? "" : ": " + lowerFirst(rest);
    }

    private static String lowerFirst(String s) {
        if (s.isEmpty() || (s.length() > 1 && Character.isUpperCase(s.charAt(1)))) {
            return s;
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
