// Entry point: replaced by the app's real bootstrap.
export {};
