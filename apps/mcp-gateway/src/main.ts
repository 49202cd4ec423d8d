import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { CONTRACTS_PLACEHOLDER } from '@app/contracts';

@Module({})
class AppModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  await app.listen(0, '127.0.0.1');
  console.log('up', CONTRACTS_PLACEHOLDER);
  await app.close();
}
void bootstrap();
