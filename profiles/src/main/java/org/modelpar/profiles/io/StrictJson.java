package org.modelpar.profiles.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.regex.Pattern;
import org.modelpar.profiles.ProfileException;

/**
 * The one JSON parser every modelpar format reads with (profiles, clusters, graphs, plans): nesting at most
 * {@value #MAX_NESTING} deep, a key twice in one object and anything after the document are errors,
 * integers stay exact ({@link java.math.BigInteger} where needed, so a reader can say a value is out of
 * range rather than see it wrapped), and {@code NaN}/{@code Infinity} tokens pass so that the field checks
 * can name them. A syntax error is one line naming the source, line and column.
 */
final class StrictJson {
    static final int MAX_NESTING = 64;
    private static final Pattern SOURCE = Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)\\]");
    private static final ObjectMapper READER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                    .build())
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {
    }

    /**
     * The tree of {@code text}.
     *
     * @throws ProfileException {@code source: line L, column C: malformed JSON: reason} on a syntax error, a
     *                          duplicate key, too deep nesting or trailing tokens; {@code source: empty file}
     */
    static JsonNode parse(String text, String source) {
        try {
            JsonNode node = READER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new ProfileException(source + ": empty file, expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            throw new ProfileException(Json.oneLine(source + ": " + where + "malformed JSON: "
                    + firstLine(e.getOriginalMessage())));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String line = message.lines().findFirst().orElse("");
        line = SOURCE.matcher(line).replaceAll("line $1, column $2");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
