package org.modelpar.profiles.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON parser every modelpar format reads with (profiles, clusters, graphs, plans): nesting at most
 * {@value #MAX_NESTING} deep, a key twice in one object and anything after the document are errors,
 * integers stay exact ({@link java.math.BigInteger} where needed, so a reader can say a value is out of
 * range rather than see it wrapped), and {@code NaN}/{@code Infinity} tokens pass so that the field checks
 * can name them. Readers turn the {@link JsonProcessingException} into their own one-line error naming the
 * source, line and column.
 */
public final class StrictJson {
    static final int MAX_NESTING = 64;
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
     * The tree of {@code text}; a missing node for empty text.
     *
     * @throws JsonProcessingException on a syntax error, a duplicate key, too deep nesting or trailing tokens
     */
    public static JsonNode readTree(String text) throws JsonProcessingException {
        return READER.readTree(text);
    }
}
