declare module 'yosay' {
  export default function yosay(message?: string, options?: { maxLength?: number }): string;
}
