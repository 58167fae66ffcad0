import {
  ApiFailure,
  chatOf,
  emit,
  findMessage,
  keyboardOf,
  parseJson,
  replyToOf,
  store,
  toTelegramMessage,
} from "./bot-methods.ts";
import { type LocalState, nextMessageId } from "./state.ts";

/** The methods that carry a file (multipart): the server passes the uploaded bytes in. */

type Params = Record<string, unknown>;

/** A new message carrying an uploaded file: the checks and the stored message both share. */
function storeUpload(
  state: LocalState,
  params: Params,
  file: File | undefined,
  content: Uint8Array,
  kind: { name: "photo" | "document"; maxBytes: number; tooBig: ApiFailure },
) {
  const chat = chatOf(state, params);
  if (!file) throw new ApiFailure(400, `Bad Request: there is no ${kind.name} in the request`);
  if (content.byteLength > kind.maxBytes) throw kind.tooBig;
  const caption = typeof params.caption === "string" ? params.caption : "";
  if (caption.length > 1024) throw new ApiFailure(400, "Bad Request: message caption is too long");
  // Kept as the client sent it: Telegram shows the multipart file name to the user as is.
  const upload = { fileName: file.name || kind.name, size: content.byteLength, content };
  return store(state, {
    chatId: chat.id,
    messageId: nextMessageId(state, chat.id),
    text: "",
    entities: [],
    keyboard: keyboardOf(params),
    ...(kind.name === "photo" ? { photo: upload } : { document: upload }),
    caption,
    silent: params.disable_notification === true || params.disable_notification === "true",
    ...replyToOf(params),
    deleted: false,
    edits: 0,
  });
}

/** sendPhoto: kept as a photo (Telegram shows it inline; 10 MB at most). */
export const sendPhoto = (state: LocalState, params: Params, file: File | undefined, content: Uint8Array) =>
  storeUpload(state, params, file, content, {
    name: "photo",
    maxBytes: 10 * 1024 * 1024,
    tooBig: new ApiFailure(400, "Bad Request: PHOTO_INVALID_DIMENSIONS"),
  });

/** sendDocument: 50 MB at most. */
export const sendDocument = (
  state: LocalState,
  params: Params,
  file: File | undefined,
  content: Uint8Array,
) =>
  storeUpload(state, params, file, content, {
    name: "document",
    maxBytes: 50 * 1024 * 1024,
    tooBig: new ApiFailure(413, "Request Entity Too Large"),
  });

/** editMessageMedia with a new photo uploaded as `attach://NAME` (a chart switching its range). */
export function editMessageMedia(
  state: LocalState,
  params: Params,
  file: File | undefined,
  content: Uint8Array,
) {
  const message = findMessage(state, params);
  const media = parseJson<{ type?: string; media?: string; caption?: string }>(params.media);
  if (media?.type !== "photo" || !media.media?.startsWith("attach://") || !file)
    throw new ApiFailure(400, "Bad Request: there is no photo in the request");
  if (!message.photo) throw new ApiFailure(400, "Bad Request: there is no media in the message to edit");
  Object.assign(message, {
    photo: { fileName: file.name || "photo", size: content.byteLength, content },
    caption: media.caption ?? "",
    keyboard: keyboardOf(params),
    edits: message.edits + 1,
  });
  emit(state, { type: "edit", message });
  return toTelegramMessage(state, message);
}
