package org.modelpar.profiles.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.ProfileLimits;

/** Reads profile JSON text into a tree: size limits, then {@link StrictJson}. */
final class JsonText {

    private JsonText() {
    }

    /** Writes the profile formats; reading goes through {@link StrictJson}. */
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Reads a regular file as UTF-8 text, refusing missing, unreadable, special or over-large files. */
    static String readFile(Path file, ProfileLimits limits) {
        if (!Files.exists(file)) {
            throw new ProfileException(file + ": file not found");
        }
        if (!Files.isRegularFile(file)) {
            throw new ProfileException(file + ": not a regular file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(limits.maxFileBytes() + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > limits.maxFileBytes()) {
                throw new ProfileException(file + ": file is larger than the limit of " + limits.maxFileBytes()
                        + " bytes");
            }
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ProfileException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ProfileException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses JSON text within the size limit; a syntax error names source, line and column. */
    static JsonNode parse(String text, String source, ProfileLimits limits) {
        if (text.length() > limits.maxFileBytes()) {
            throw new ProfileException(source + ": text is " + text.length() + " characters, above the limit of "
                    + limits.maxFileBytes());
        }
        return StrictJson.parse(text, source);
    }
}
