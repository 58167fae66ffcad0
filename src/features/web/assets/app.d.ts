/** app.js is browser code embedded as text (`with { type: "text" }`): to the server it is a string. */
declare const text: string;
export default text;
